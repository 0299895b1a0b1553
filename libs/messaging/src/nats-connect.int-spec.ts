import { strict as assert } from 'node:assert';
import { createServer, connect as tcpConnect, type Server } from 'node:net';
import { describe, it } from 'node:test';
import type { Logger } from '@tokenflow/observability';
import { freePort, testUrls } from '@tokenflow/testing';
import { NatsBus } from './nats-bus';

/** Collects what the bus logs while it waits. */
function recordingLogger(): { logger: Logger; lines: { level: string; obj: Record<string, unknown>; msg: string }[] } {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => void lines.push({ level, obj, msg });
  return { logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as unknown as Logger, lines };
}

/** A TCP forwarder to the real NATS server, listening from when the test says so. */
function forwarder(port: number): Promise<Server> {
  const nats = new URL(testUrls.nats);
  const server = createServer((client) => {
    const upstream = tcpConnect(Number(nats.port || 4222), nats.hostname);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

describe('NatsBus.connect waits for the server at startup', () => {
  it('retries with backoff, logging what it waits for, and connects once NATS is there', async () => {
    const port = await freePort();
    const { logger, lines } = recordingLogger();
    let proxy: Server | null = null;
    const late = setTimeout(() => void forwarder(port).then((s) => (proxy = s)), 1_200);
    try {
      const bus = await NatsBus.connect({ url: `nats://127.0.0.1:${port}`, name: 'late-start', logger, startupTimeoutMs: 10_000 });
      assert.ok(bus.connected);
      const waits = lines.filter((l) => l.msg === 'waiting for NATS');
      assert.ok(waits.length >= 2, `${waits.length} waits logged`);
      assert.equal(waits[0].obj.nats, `nats://127.0.0.1:${port}`);
      const delays = waits.map((w) => w.obj.retryInMs as number);
      assert.ok(delays[1] > delays[0], `backs off: ${delays.join(', ')}`);
      assert.ok(lines.some((l) => l.msg === 'NATS connected'));
      await bus.close();
    } finally {
      clearTimeout(late);
      (proxy as Server | null)?.close();
    }
  });

  it('gives up after startupTimeoutMs with one clear error (no credentials in it)', async () => {
    const port = await freePort();
    const started = Date.now();
    await assert.rejects(
      NatsBus.connect({ url: `nats://user:secret@127.0.0.1:${port}`, name: 'never', startupTimeoutMs: 800 }),
      (err: Error) => /NATS at nats:\/\/127\.0\.0\.1:\d+ is not reachable .*gave up after \d+ attempts/.test(err.message) && !err.message.includes('secret'),
    );
    assert.ok(Date.now() - started < 3_000);
  });
});
