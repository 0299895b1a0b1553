import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { Injectable, Module } from '@nestjs/common';
import { baseEnvSchema } from '@tokenflow/config';
import { createLogger, setLogLevel } from '@tokenflow/observability';
import { createServiceContext } from './service-context';

const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});

/** Logs like every service class does: a logger created with the instance, without a level of its own. */
@Injectable()
class Probe {
  readonly log = createLogger('probe', undefined, sink);
}

@Module({ providers: [Probe] })
class ProbeModule {}

describe('createServiceContext', () => {
  it("runs the service's loggers at its validated LOG_LEVEL", async () => {
    setLogLevel('trace'); // whatever LOG_LEVEL this test process has, only the config's value can silence `warn`
    const app = await createServiceContext({ module: ProbeModule }, baseEnvSchema.parse({ LOG_LEVEL: 'error' }));
    try {
      const { log } = app.get(Probe);
      log.info('info line');
      log.warn('warn line');
      log.error('error line');
      assert.deepEqual(lines.map((l) => (JSON.parse(l) as { msg: string }).msg), ['error line']);
    } finally {
      await app.close();
      setLogLevel('info');
    }
  });
});
