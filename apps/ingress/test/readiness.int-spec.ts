import { strict as assert } from 'node:assert';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePort, testNamespace, testUrls, waitFor } from '@tokenflow/testing';
import { ingressEnvSchema } from '../src/config';
import { createIngressApp, type IngressApp } from '../src/ingress.app';

/** A TCP proxy in front of the real NATS server that the test can cut (connections dropped, none accepted) and restore. */
class CuttableProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  /** Listens (again) on the same port; a no-op while already listening. */
  start(): Promise<void> {
    if (this.server) return Promise.resolve();
    const server = createServer((client) => {
      const upstream = tcpConnect(this.target.port, this.target.host);
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ]) {
        this.sockets.add(a);
        a.on('error', () => b.destroy());
        a.on('close', () => {
          this.sockets.delete(a);
          b.destroy();
        });
        a.pipe(b);
      }
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  /** Stops accepting and cuts every open connection, as a NATS server that went away would. */
  cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

describe('ingress readiness follows the NATS connection (real NATS behind a proxy the test cuts)', () => {
  let proxy: CuttableProxy;
  let ingress: IngressApp;

  before(async () => {
    const nats = new URL(testUrls.nats);
    proxy = new CuttableProxy(await freePort(), { host: nats.hostname, port: Number(nats.port || 4222) });
    await proxy.start();
    ingress = await createIngressApp(
      ingressEnvSchema.parse({ NATS_URL: `nats://127.0.0.1:${proxy.port}`, TF_NAMESPACE: testNamespace('ready'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error' }),
    );
  });
  after(async () => {
    // Back up first (if a failed test left it cut), so the ingress can drain its connection before it closes.
    await proxy.start();
    await ingress?.close();
    await proxy.cut();
  });

  const readyz = async () => {
    const res = await fetch(`${ingress.url}/readyz`);
    return { status: res.status, body: (await res.json()) as { status: string } };
  };

  it('answers 503 while NATS is reconnecting and 200 again once it is back', async () => {
    assert.deepEqual(await readyz(), { status: 200, body: { status: 'ready' } });

    await proxy.cut();
    const started = Date.now();
    await waitFor(async () => (await readyz()).status === 503, 2_000, '/readyz to fail');
    assert.ok(Date.now() - started < 2_000);
    assert.deepEqual((await readyz()).body, { status: 'nats_unavailable' });
    // Still honest across several failed reconnect attempts (every 500 ms), not only right after the cut.
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal((await readyz()).status, 503);
    // Liveness is another question: the process still answers.
    assert.equal((await fetch(`${ingress.url}/healthz`)).status, 200);

    await proxy.start();
    await waitFor(async () => (await readyz()).status === 200, 5_000, '/readyz to recover');
    assert.deepEqual((await readyz()).body, { status: 'ready' });
  });
});
