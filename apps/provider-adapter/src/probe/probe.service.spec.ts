import { strict as assert } from 'node:assert';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type PlannedAttempt, TfError } from '@tokenflow/contracts';
import type { AdapterConfig } from '../config';
import type { UpstreamKeysStore } from '../invoke/upstream-keys.store';
import { UpstreamClient } from '../upstream/upstream-client';
import { ProbeService } from './probe.service';

/** A key of no recognisable shape: only the probe's own scrubbing can keep it out of a reply. */
const KEY = 'plainsecret0042';

/** An OpenAI-style upstream on loopback; the path's first segment picks the behaviour. */
function upstreamServer() {
  const seen: { path: string; auth: string | undefined; body: Record<string, unknown> }[] = [];
  let url = '';
  const sse = (res: ServerResponse, content: string) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (delta: object, finish: string | null) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    res.end(chunk({ role: 'assistant', content: '' }, null) + chunk({ content }, null) + chunk({}, 'length') + 'data: [DONE]\n\n');
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString('utf8')));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', auth: req.headers.authorization, body: JSON.parse(raw || '{}') as Record<string, unknown> });
      const mode = (req.url ?? '').split('/')[1];
      if (mode === 'ok') return sse(res, 'pong');
      if (mode === 'long') return sse(res, 'y'.repeat(300));
      if (mode === 'leaky') {
        res.writeHead(400, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: { message: `key ${KEY} is not valid for ${url}/leaky/chat/completions (host ${new URL(url).host})`, type: 'invalid_request_error' } }));
      }
      // 'silent': never answers (until the client goes away).
    });
  });
  return {
    seen,
    start: () => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => ((url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`), resolve()))),
    url: (mode: string) => `${url}/${mode}`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const attempt = (baseUrl: string, t: Partial<PlannedAttempt['timeouts']> = {}): PlannedAttempt => ({
  channelId: 'ch-probe',
  channelName: 'probe',
  provider: 'openai-compatible',
  baseUrl,
  keyRef: 'ref-1',
  upstreamModel: 'upstream-model',
  timeouts: { connectMs: 1_000, firstByteMs: 2_000, idleMs: 2_000, ...t },
});

describe('ProbeService (a real HTTP upstream on loopback)', () => {
  const upstream = upstreamServer();
  const client = new UpstreamClient({ UPSTREAM_CONNECTIONS: 4 } as AdapterConfig);
  // The router's keys, by reference: `ref-1` only.
  const keys = {
    resolve: async (a: PlannedAttempt) => {
      if (a.keyRef !== 'ref-1') throw new TfError('upstream_error', "The channel's key is no longer configured.", { retryable: true });
      return { ...a, apiKey: KEY };
    },
  } as unknown as UpstreamKeysStore;
  const sut = new ProbeService(keys, client);
  before(() => upstream.start());
  after(async () => {
    await client.onApplicationShutdown();
    await upstream.close();
  });

  it('asks for one token of a one-word prompt, streamed, and answers with the first words', async () => {
    const reply = await sut.probe({ attempt: attempt(upstream.url('ok')), model: 'our-model' }, Date.now() + 5_000);
    assert.deepEqual({ ...reply, latencyMs: 0 }, { ok: true, latencyMs: 0, answer: 'pong', error: null });
    assert.ok(reply.latencyMs >= 0 && reply.latencyMs < 2_000);
    const sent = upstream.seen.at(-1)!;
    assert.equal(sent.path, '/ok/chat/completions');
    assert.equal(sent.auth, `Bearer ${KEY}`);
    // The provider maps the model and its stream options, as for any request.
    assert.deepEqual(sent.body, { model: 'upstream-model', messages: [{ role: 'user', content: 'ping' }], max_tokens: 1, stream: true, stream_options: { include_usage: true } });
  });

  it('keeps the answer to its first 200 characters', async () => {
    const reply = await sut.probe({ attempt: attempt(upstream.url('long')), model: 'm' }, undefined);
    assert.equal(reply.ok, true);
    assert.equal(reply.answer, 'y'.repeat(200));
  });

  it('maps an upstream error with the provider’s rules and never repeats the key or the address', async () => {
    const reply = await sut.probe({ attempt: attempt(upstream.url('leaky')), model: 'm' }, Date.now() + 5_000);
    assert.equal(reply.ok, false);
    assert.equal(reply.answer, null);
    assert.equal(reply.error?.code, 'invalid_request');
    const text = JSON.stringify(reply);
    assert.ok(!text.includes(KEY), text);
    assert.ok(!text.includes('127.0.0.1'), text);
    assert.match(reply.error!.message, /key \[redacted\] is not valid/);
  });

  it('gives up at the caller’s deadline even when the channel’s own deadlines are longer', async () => {
    const started = Date.now();
    const reply = await sut.probe({ attempt: attempt(upstream.url('silent'), { firstByteMs: 10_000, idleMs: 10_000 }), model: 'm' }, Date.now() + 300);
    const took = Date.now() - started;
    assert.ok(took >= 250 && took < 1_500, `${took} ms`);
    assert.equal(reply.ok, false);
    assert.equal(reply.error?.code, 'upstream_timeout');
  });

  it('fails on the channel’s first-byte deadline', async () => {
    const reply = await sut.probe({ attempt: attempt(upstream.url('silent'), { firstByteMs: 200 }), model: 'm' }, Date.now() + 5_000);
    assert.equal(reply.error?.code, 'upstream_timeout');
    assert.ok(reply.latencyMs >= 150 && reply.latencyMs < 1_500, `${reply.latencyMs} ms`);
  });

  it('answers a key the channel no longer has without calling the upstream', async () => {
    const before = upstream.seen.length;
    const reply = await sut.probe({ attempt: { ...attempt(upstream.url('ok')), keyRef: 'gone' }, model: 'm' }, Date.now() + 5_000);
    assert.equal(reply.ok, false);
    assert.equal(reply.error?.code, 'upstream_error');
    assert.equal(upstream.seen.length, before);
  });

  it('answers a connection failure as a reply, not a throw', async () => {
    const reply = await sut.probe({ attempt: attempt('http://127.0.0.1:1/v1'), model: 'm' }, Date.now() + 5_000);
    assert.equal(reply.ok, false);
    assert.equal(reply.error?.code, 'upstream_error');
    assert.ok(!JSON.stringify(reply).includes('127.0.0.1'));
  });
});
