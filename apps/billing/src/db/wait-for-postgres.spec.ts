import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createLogger } from '@tokenflow/observability';
import { waitForPostgres } from './wait-for-postgres';

describe('waitForPostgres (review of issue 13, finding 3: billing restarted during a Postgres outage)', () => {
  it('waits with capped, doubling backoff while Postgres refuses, instead of failing the boot', async () => {
    let calls = 0;
    const pauses: number[] = [];
    const attempts = await waitForPostgres('postgres://unused', {
      connect: async () => {
        if (++calls < 7) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      },
      sleep: async (ms) => void pauses.push(ms),
      initialDelayMs: 100,
      maxDelayMs: 1_000,
      log: createLogger('test', 'silent'),
    });
    assert.equal(attempts, 7);
    assert.deepEqual(pauses, [100, 200, 400, 800, 1_000, 1_000]);
  });

  it('returns at once when Postgres answers', async () => {
    assert.equal(await waitForPostgres('postgres://unused', { connect: async () => undefined, sleep: async () => assert.fail('no wait'), log: createLogger('test', 'silent') }), 1);
  });
});
