import { strict as assert } from 'node:assert';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HOSTILE_MODELS, type HostileCase, hostileCases, sendFromWorker, startHostileUpstream } from '@tokenflow/testing';
import { adminApi, type Platform, startPlatform } from './support/platform';

/** Concurrent copies of each hostile request (the issue: "each input above, and 10 of them at once"). */
const COPIES = 10;
/**
 * What a normal request may take while they are in flight, and the event-loop lag the ingress may report. The
 * target is 50 ms (see `npm run bench:hostile` for the measured numbers); CI runs every service and this test on two
 * shared cores, so the test allows more. A regression of the kind fixed here (quadratic tokenizing, backtracking
 * regexes, re-copied assembly) costs seconds and fails it.
 */
const NORMAL_MS = 750;
const LAG_S = 0.25;
/**
 * Ten upstream answers of 32k chunks each are real work (about 15 µs a chunk across adapter and ingress, 5 s of CPU
 * on two cores): normal requests wait for a core, not for a stalled loop. Before the fix one such answer took 10 s.
 */
const NORMAL_UNDER_UPSTREAM_LOAD_MS = 1_500;

describe('hardening: nothing a caller or an upstream sends can stall the gateway', () => {
  let p: Platform;
  let upstream: Awaited<ReturnType<typeof startHostileUpstream>>;

  before(async () => {
    p = await startPlatform('hardening', { DEFAULT_KEY_RPM: '0' });
    upstream = await startHostileUpstream();
    const admin = adminApi(p);
    const channel = await admin('POST', '/admin/v1/channels', { name: 'hostile', provider: 'openai-compatible', base_url: upstream.url, api_keys: ['sk-hostile-upstream'], models: HOSTILE_MODELS });
    assert.equal(channel.status, 201, JSON.stringify(channel.body));
    for (const model of HOSTILE_MODELS) {
      const priced = await admin('PUT', `/admin/v1/models/${model}/price`, { input_usd_per_mtok: '0.01', output_usd_per_mtok: '0.01' });
      assert.equal(priced.status, 200);
    }
    const credit = await admin('POST', `/admin/v1/accounts/${p.accountId}/credits`, { amount_usd: '1000.00' });
    assert.equal(credit.status, 200);
  });
  after(async () => {
    await p?.stop();
    await upstream?.close();
  });

  const send = async (c: HostileCase) => {
    const res = await fetch(`${p.baseUrl}${c.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(c.anthropic ? { 'x-api-key': p.key } : { authorization: `Bearer ${p.key}` }) },
      body: c.body,
    });
    const text = await res.text();
    return { status: res.status, text };
  };

  const normal = async () => {
    const started = performance.now();
    const res = await fetch(`${p.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${p.key}` },
      body: JSON.stringify({ model: 'deepseek-v3', messages: [{ role: 'user', content: 'Say something short.' }] }),
    });
    assert.equal(res.status, 200);
    await res.json();
    return performance.now() - started;
  };

  const lagMaxSeconds = async () => {
    const metrics = await (await fetch(`${p.baseUrl}/metrics`)).text();
    return Number(/^nodejs_eventloop_lag_max_seconds\{[^}]*\} (\S+)$/m.exec(metrics)?.[1] ?? NaN);
  };

  for (const c of hostileCases()) {
    it(`${c.name}: ${COPIES} at once get ${c.expectStatus}, and normal requests meanwhile stay fast`, async () => {
      await normal();
      await lagMaxSeconds();
      let inFlight = true;
      const hostile = sendFromWorker(p.baseUrl, p.key, c, COPIES).finally(() => (inFlight = false));
      const latencies: number[] = [];
      while (inFlight || latencies.length < 3) latencies.push(await normal());
      const results = await hostile;
      const lag = await lagMaxSeconds();
      for (const r of results) assert.equal(r.status, c.expectStatus, r.text.slice(0, 300));
      if (c.expectStatus >= 400 && !c.anthropic) assert.ok('error' in (JSON.parse(results[0].text) as object));
      const worst = Math.max(...latencies);
      const allowed = c.name.startsWith('upstream:') ? NORMAL_UNDER_UPSTREAM_LOAD_MS : NORMAL_MS;
      assert.ok(worst < allowed, `a normal request took ${worst.toFixed(0)} ms (${latencies.length} measured)`);
      assert.ok(lag < LAG_S, `ingress event loop lagged ${(lag * 1000).toFixed(0)} ms`);
    });
  }

  it('refuses content parts the model cannot take, naming the part, before anything is held', async () => {
    const chat = (model: string, content: unknown[]) =>
      fetch(`${p.baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${p.key}` },
        body: JSON.stringify({ model, max_tokens: 8, messages: [{ role: 'user', content }] }),
      });
    const image = { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } };
    const text = { type: 'text', text: 'what is this?' };
    const refused = await chat('deepseek-v3', [text, image]);
    assert.equal(refused.status, 400);
    assert.deepEqual((await refused.json()) as object, {
      error: { message: "The model 'deepseek-v3' does not support image_url content parts.", type: 'invalid_request_error', param: 'messages[0].content[1]', code: 'invalid_request' },
    });
    const audio = await chat('gpt-4o', [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }]);
    assert.equal(audio.status, 400);
    assert.equal(((await audio.json()) as { error: { param: string } }).error.param, 'messages[0].content[0]');
    assert.equal((await chat('gpt-4o', [text, image])).status, 200, 'gpt-4o takes images');
    const anthropic = await fetch(`${p.baseUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': p.key },
      body: JSON.stringify({ model: 'kimi-k2', max_tokens: 8, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] }] }),
    });
    assert.equal(anthropic.status, 400);
    assert.equal(((await anthropic.json()) as { type: string; error: { type: string } }).error.type, 'invalid_request_error');
  });

  it('answers a chat request whose client half-closed after sending, streamed and not', async () => {
    for (const stream of [false, true]) {
      const body = JSON.stringify({ model: 'deepseek-v3', stream, messages: [{ role: 'user', content: 'hello' }] });
      const { port } = new URL(p.baseUrl);
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () =>
          socket.end(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${p.key}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`),
        );
        let out = '';
        socket.on('data', (d: Buffer) => (out += d.toString('utf8')));
        socket.on('close', () => resolve(out));
        socket.on('error', reject);
        // A guard, not a wait: a server that never closes fails the match below instead of hanging the suite.
        setTimeout(() => {
          socket.destroy();
          resolve(out);
        }, 10_000);
      });
      assert.match(raw, /^HTTP\/1\.1 200/);
      assert.match(raw, stream ? /data: \[DONE\]/ : /"object":"chat\.completion"/);
    }
  });

  it('streams 32k chunks whole to a reader slower than the upstream (waiting for its socket to drain)', async () => {
    const body = JSON.stringify({ model: 'hostile-logprobs', stream: true, max_tokens: 40_000, messages: [{ role: 'user', content: 'hi' }] });
    const { port } = new URL(p.baseUrl);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${p.key}\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`),
      );
      const parts: Buffer[] = [];
      let paused = false;
      socket.on('data', (d: Buffer) => {
        parts.push(d);
        if (!paused) {
          // Stop reading for a second: the server's writes back up, and must wait, not pile up or be lost.
          paused = true;
          socket.pause();
          setTimeout(() => socket.resume(), 1_000);
        }
      });
      socket.on('close', () => resolve(Buffer.concat(parts).toString('utf8')));
      socket.on('error', reject);
    });
    const contents = raw.split('\n').filter((l) => l.startsWith('data: {') && l.includes('"content":"x"'));
    assert.equal(contents.length, 32_000);
    assert.match(raw, /data: \[DONE\]/);
  });

  it('folds 32k upstream chunks with logprobs into one exact completion', async () => {
    const c = hostileCases().find((h) => h.name.startsWith('upstream: 32k chunks'))!;
    const r = await send(c);
    const body = JSON.parse(r.text) as { choices: { message: { content: string }; logprobs: { content: unknown[] } }[] };
    assert.equal(body.choices[0].message.content.length, 32_000);
    assert.equal(body.choices[0].logprobs.content.length, 32_000);
  });

  it('streams 32k tool-argument fragments to an Anthropic-format client as whole, valid JSON', async () => {
    const c = hostileCases().find((h) => h.name.includes('argument fragments'))!;
    const r = await send(c);
    let json = '';
    for (const block of r.text.split('\n\n')) {
      const data = block.split('\n').find((l) => l.startsWith('data: '));
      if (!data) continue;
      const ev = JSON.parse(data.slice(6)) as { type: string; index?: number; delta?: { type: string; partial_json?: string } };
      if (ev.type === 'content_block_delta' && ev.delta?.type === 'input_json_delta' && ev.index === 0) json += ev.delta.partial_json;
    }
    assert.equal((JSON.parse(json) as { text: string }).text.length, 64_000);
  });
});
