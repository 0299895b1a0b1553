import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { generateApiKey } from '@tokenflow/contracts';
import { testNamespace, testUrls, waitFor } from '@tokenflow/testing';
import { ingressEnvSchema } from '../src/config';
import { createIngressApp, type IngressApp } from '../src/ingress.app';
import { chatRequest, endFrame, type ScriptedPeers, scriptedPeers, sleep, sseEvents, textChunk } from './support/scripted-peers';

/** Reads a streamed response to its end, resolving once with the first bytes (the stream is in flight). */
function readStream(res: Response): { started: Promise<void>; text: Promise<string> } {
  let onStart!: () => void;
  const started = new Promise<void>((resolve) => (onStart = resolve));
  const text = (async () => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let out = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return out;
      out += decoder.decode(value, { stream: true });
      onStart();
    }
  })();
  return { started, text };
}

/**
 * The ingress's graceful shutdown with the other services played over the real NATS server: readiness false and new
 * requests refused at once, in-flight streams finish within the grace or end with an error event (their attempts
 * cancelled), and only then the bus goes.
 */
describe('ingress graceful shutdown (real NATS, scripted peers)', () => {
  const ns = testNamespace('ingress-shutdown');
  const key = generateApiKey();
  let peers: ScriptedPeers;

  before(async () => {
    // One chunk every 100 ms: `slow-10` takes ~1 s, `slow-100` ~10 s.
    const trickle = (n: number) => async (send: (f: ReturnType<typeof textChunk>) => void, cancelled: () => boolean) => {
      for (let seq = 0; seq < n; seq++) {
        if (cancelled()) return;
        send(textChunk(seq, `${seq} `));
        await sleep(100);
      }
      send(endFrame(n));
    };
    peers = await scriptedPeers(ns, { 'slow-10': trickle(10), 'slow-100': trickle(100) });
  });
  after(() => peers.close());

  const start = (grace: number) =>
    createIngressApp(ingressEnvSchema.parse({ NATS_URL: testUrls.nats, TF_NAMESPACE: ns, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', SHUTDOWN_GRACE_MS: String(grace) }));

  it('lets in-flight streams finish while readiness is false and new requests get a 503 in OpenAI format', async () => {
    const ingress: IngressApp = await start(10_000);
    const streams = await Promise.all([chatRequest(ingress.url, key, 'slow-10', true), chatRequest(ingress.url, key, 'slow-10', true)]);
    const reads = streams.map(readStream);
    await Promise.all(reads.map((r) => r.started));
    const closing = ingress.close();
    let closed = false;
    void closing.then(() => (closed = true));

    const ready = await fetch(`${ingress.url}/readyz`);
    assert.deepEqual([ready.status, await ready.json()], [503, { status: 'draining' }]);
    const refused = await chatRequest(ingress.url, key, 'slow-10', true);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('connection'), 'close');
    assert.deepEqual(((await refused.json()) as { error: { code: string; type: string } }).error, {
      message: 'The server is shutting down. Please retry.',
      type: 'service_unavailable',
      param: null,
      code: 'service_unavailable',
    });
    assert.equal(closed, false, 'the app waits for its streams');

    for (const r of reads) {
      const events = sseEvents(await r.text);
      assert.equal(events.at(-1), '[DONE]', 'each in-flight stream completed');
      assert.equal(events.filter((e) => (e as { choices?: unknown[] }).choices?.length).length, 10);
    }
    await closing;
    assert.equal(peers.cancels.filter((c) => c.reason === 'shutdown').length, 0);
  });

  it('ends streams still running after the grace with an error event and cancels their attempts', async () => {
    const ingress: IngressApp = await start(500);
    const r = readStream(await chatRequest(ingress.url, key, 'slow-100', true));
    await r.started;
    const started = Date.now();
    await ingress.close();
    assert.ok(Date.now() - started < 3_000, `closed after ${Date.now() - started} ms`);
    const events = sseEvents(await r.text);
    assert.ok(!events.includes('[DONE]'));
    const last = events.at(-1) as { error?: { code: string; message: string } };
    assert.equal(last.error?.code, 'service_unavailable');
    assert.match(last.error?.message ?? '', /shutting down/);
    await waitFor(() => peers.cancels.some((c) => c.reason === 'shutdown'), 2_000, 'the attempt cancelled with reason shutdown');
  });

  it('cuts a non-stream request still waiting after the grace with a 503 body', async () => {
    const ingress: IngressApp = await start(300);
    const pending = chatRequest(ingress.url, key, 'slow-100', false);
    await sleep(300);
    await ingress.close();
    const res = await pending;
    assert.equal(res.status, 503);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'service_unavailable');
  });
});
