import { strict as assert } from 'node:assert';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { generateApiKey, hashApiKey, type KeyPrincipal, Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { estimatePromptTokens } from '@tokenflow/openai';
import { testNamespace, testUrls, waitFor } from '@tokenflow/testing';
import { ingressEnvSchema } from '../src/config';
import { createIngressApp, type IngressApp } from '../src/ingress.app';

/** Writes raw bytes on a new connection and collects everything the server sends until it closes (or `untilMs`). */
function rawExchange(url: string, write: (socket: ReturnType<typeof connect>) => void, untilMs = 3_000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => write(socket));
    let out = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(out);
    }, untilMs);
    socket.on('data', (d) => (out += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    socket.on('timeout', () => reject(new Error('timeout')));
  });
}

/** The status and JSON body of the first (or only) HTTP response in raw text. */
function parseResponse(raw: string): { status: number; body: Record<string, unknown> } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
  const start = raw.indexOf('\r\n\r\n');
  const rest = raw.slice(start + 4);
  const jsonStart = rest.indexOf('{');
  return { status, body: JSON.parse(rest.slice(jsonStart, rest.lastIndexOf('}') + 1)) as Record<string, unknown> };
}

/**
 * The HTTP edge of ingress, on the real NATS with billing played by a responder: what arrives before any route
 * runs (malformed requests, oversized headers, slow uploads, compressed bodies) and the auth that runs before a
 * body is read.
 */
describe('ingress HTTP edge (real NATS, scripted billing)', () => {
  const ns = testNamespace('edge');
  let ingress: IngressApp;
  let peers: NatsBus;
  const key = generateApiKey();
  const principal: KeyPrincipal = { keyId: 'k1', accountId: 'a1', name: null, models: null, limits: { rpm: null, tpm: null, maxConcurrency: null, models: null }, accountLimits: null, expiresAt: null, budget: null, fallbacks: null };
  const lookups = new Map<string, number>();
  let authDelayMs = 0;
  let valid = new Set([hashApiKey(key)]);

  before(async () => {
    peers = await NatsBus.connect({ url: testUrls.nats, name: 'edge-peers', namespace: ns });
    peers.serve(Subjects.billingAuth, async (req) => {
      lookups.set(req.keyHash, (lookups.get(req.keyHash) ?? 0) + 1);
      if (authDelayMs) await new Promise((r) => setTimeout(r, authDelayMs));
      return { principal: valid.has(req.keyHash) ? principal : null };
    });
    await peers.flush();
    ingress = await createIngressApp(
      ingressEnvSchema.parse({ NATS_URL: testUrls.nats, TF_NAMESPACE: ns, PORT: '0', HOST: '127.0.0.1', BODY_LIMIT_BYTES: String(1024 * 1024), REQUEST_BODY_TIMEOUT_MS: '1500' }),
    );
  });
  after(async () => {
    await ingress.close();
    await peers.close();
  });

  const countBody = { model: 'claude-sonnet', messages: [{ role: 'user', content: 'How many tokens is this prompt, exactly?' }] };
  const countRequest = (body: Buffer | string, headers: Record<string, string> = {}) =>
    fetch(`${ingress.url}/v1/messages/count_tokens`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json', ...headers }, body });

  it('decodes gzip, deflate and br bodies', async () => {
    const plain = Buffer.from(JSON.stringify(countBody));
    const expected = { input_tokens: estimatePromptTokens(countBody as never) };
    for (const [encoding, data] of [['gzip', gzipSync(plain)], ['deflate', deflateSync(plain)], ['br', brotliCompressSync(plain)]] as const) {
      const res = await countRequest(data, { 'content-encoding': encoding });
      assert.equal(res.status, 200, encoding);
      assert.deepEqual(await res.json(), expected, encoding);
    }
  });

  it('refuses a gzip bomb at the body limit (413), an unknown encoding (415) and a corrupt one (400)', async () => {
    const bomb = gzipSync(Buffer.from(JSON.stringify({ ...countBody, pad: 'a'.repeat(8 * 1024 * 1024) })));
    assert.ok(bomb.length < 64 * 1024, 'small on the wire');
    const started = Date.now();
    const res = await countRequest(bomb, { 'content-encoding': 'gzip' });
    assert.equal(res.status, 413);
    assert.ok(Date.now() - started < 2_000);
    const body = (await res.json()) as { type: string; error: { type: string } };
    assert.deepEqual([body.type, body.error.type], ['error', 'request_too_large'], "Anthropic's envelope on /v1/messages");
    const zstd = await countRequest(Buffer.from('xx'), { 'content-encoding': 'zstd' });
    assert.equal(zstd.status, 415);
    const corrupt = await fetch(`${ingress.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: Buffer.from('definitely not gzip'),
    });
    assert.equal(corrupt.status, 400);
    assert.equal(((await corrupt.json()) as { error: { code: string } }).error.code, 'invalid_request');
  });

  it('checks the key before reading the body: a bad key gets its 401 while the body is still unsent', async () => {
    const raw = await rawExchange(ingress.url, (s) => {
      s.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${generateApiKey()}\r\nContent-Type: application/json\r\nContent-Length: 900000\r\n\r\n{"model":`);
    }, 1_500);
    const { status, body } = parseResponse(raw);
    assert.equal(status, 401);
    assert.equal((body.error as { code: string }).code, 'invalid_api_key');
  });

  it('refuses a body over the limit by its Content-Length with 413, before receiving it', async () => {
    const raw = await rawExchange(ingress.url, (s) => {
      s.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${12 * 1024 * 1024}\r\n\r\n{`);
    }, 1_500);
    const { status, body } = parseResponse(raw);
    assert.equal(status, 413);
    assert.equal((body.error as { code: string }).code, 'request_too_large');
  });

  it('refuses two Authorization headers (Node would silently keep the first)', async () => {
    const raw = await rawExchange(ingress.url, (s) => {
      s.end(`GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nAuthorization: Bearer ${generateApiKey()}\r\n\r\n`);
    });
    const { status, body } = parseResponse(raw);
    assert.equal(status, 400);
    assert.deepEqual([(body.error as { code: string; param: string }).code, (body.error as { param: string }).param], ['invalid_request', 'Authorization']);
  });

  it("answers the HTTP server's own refusals in OpenAI's format: 431, 414, bad percent-encoding, malformed requests", async () => {
    const huge = await rawExchange(ingress.url, (s) => s.end(`GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    assert.deepEqual([parseResponse(huge).status, (parseResponse(huge).body.error as { code: string }).code], [431, 'headers_too_large']);

    const longId = await fetch(`${ingress.url}/admin/v1/channels/${'a'.repeat(600)}`);
    assert.equal(longId.status, 414);
    assert.equal(((await longId.json()) as { error: { code: string } }).error.code, 'uri_too_long');

    const badEscape = await fetch(`${ingress.url}/admin/v1/channels/%E0%A4%A`);
    assert.equal(badEscape.status, 400);
    assert.equal(((await badEscape.json()) as { error: { type: string } }).error.type, 'invalid_request_error');

    const garbage = await rawExchange(ingress.url, (s) => s.end('GET /v1/models HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n'));
    assert.equal(parseResponse(garbage).status, 400);
    assert.equal((parseResponse(garbage).body.error as { type: string }).type, 'invalid_request_error');

    const chunked = await rawExchange(ingress.url, (s) =>
      s.end(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`),
    );
    assert.equal(parseResponse(chunked).status, 400);
    assert.ok('error' in parseResponse(chunked).body);
  });

  it('answers requests without Host, with an unknown Expect, or with an over-long model id in the API format', async () => {
    const count = JSON.stringify(countBody);
    const noHost = await rawExchange(ingress.url, (s) =>
      s.end(`POST /v1/messages/count_tokens HTTP/1.1\r\nx-api-key: ${key}\r\nContent-Type: application/json\r\nContent-Length: ${count.length}\r\nConnection: close\r\n\r\n${count}`),
    );
    assert.equal(parseResponse(noHost).status, 200);
    const expect = await rawExchange(ingress.url, (s) =>
      s.end(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nExpect: weird\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`),
    );
    assert.equal(parseResponse(expect).status, 417);
    assert.equal((parseResponse(expect).body.error as { code: string }).code, 'expectation_failed');
    const longModel = await fetch(`${ingress.url}/v1/models/${'m'.repeat(600)}`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(longModel.status, 414);
    assert.equal(((await longModel.json()) as { error: { code: string } }).error.code, 'uri_too_long');
  });

  it('times out a slow upload to /v1/messages with 408 in Anthropic\'s envelope', async () => {
    const raw = await rawExchange(ingress.url, (s) => {
      s.write(`POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: ${key}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"model":`);
    }, 6_000);
    const { status, body } = parseResponse(raw);
    assert.equal(status, 408);
    assert.deepEqual([body.type, (body.error as { type: string }).type], ['error', 'invalid_request_error']);
  });

  it('times out a slow upload with 408 in the API format', async () => {
    const started = Date.now();
    const raw = await rawExchange(ingress.url, (s) => {
      s.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"model":`);
    }, 6_000);
    assert.equal(parseResponse(raw).status, 408);
    assert.equal((parseResponse(raw).body.error as { code: string }).code, 'request_timeout');
    assert.ok(Date.now() - started < 5_000);
  });

  it('answers a client that half-closes after sending, and pipelined requests in order', async () => {
    const body = JSON.stringify(countBody);
    const request = `POST /v1/messages/count_tokens HTTP/1.1\r\nHost: x\r\nx-api-key: ${key}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const halfClosed = await rawExchange(ingress.url, (s) => s.end(request));
    assert.equal(parseResponse(halfClosed).status, 200);
    assert.equal(parseResponse(halfClosed).body.input_tokens, estimatePromptTokens(countBody as never));

    const models = `GET /v1/models/nope HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n\r\n`;
    // An invalid body read in full does not close the connection: what was pipelined behind it is answered too.
    const badJson = `POST /v1/messages/count_tokens HTTP/1.1\r\nHost: x\r\nx-api-key: ${key}\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{bad json`;
    const pipelined = await rawExchange(ingress.url, (s) => s.end(request + models + badJson + request));
    const statuses = [...pipelined.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    assert.equal(statuses.length, 4, pipelined.slice(0, 500));
    assert.equal(statuses[0], 200);
    assert.equal(statuses[2], 400);
    assert.equal(statuses[3], 200);
  });

  it('keeps a key revoked while its lookup was in flight revoked', async () => {
    const doomed = generateApiKey();
    valid.add(hashApiKey(doomed));
    authDelayMs = 300;
    const pending = fetch(`${ingress.url}/v1/models`, { headers: { authorization: `Bearer ${doomed}` } });
    await waitFor(() => lookups.get(hashApiKey(doomed)) === 1, 2_000, 'the lookup to be in flight');
    // Billing revokes: its write commits, then it broadcasts; the lookup in flight read the key before that.
    valid = new Set([...valid].filter((h) => h !== hashApiKey(doomed)));
    peers.emit(Subjects.billingKeyChanged, { keyId: 'k2', keyHash: hashApiKey(doomed), change: 'revoked' });
    const res = await pending;
    authDelayMs = 0;
    assert.equal(res.status, 401);
    const later = await fetch(`${ingress.url}/v1/models`, { headers: { authorization: `Bearer ${doomed}` } });
    assert.equal(later.status, 401);
  });

  it('caches unknown keys apart from real ones: random keys cost one lookup each at most and never evict a real key', async () => {
    const real = () => fetch(`${ingress.url}/v1/messages/count_tokens`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(countBody) });
    assert.equal((await real()).status, 200);
    const realLookups = lookups.get(hashApiKey(key)) ?? 0;
    const randoms = Array.from({ length: 2_000 }, () => generateApiKey());
    for (let i = 0; i < randoms.length; i += 100) {
      await Promise.all(randoms.slice(i, i + 100).map((k) => fetch(`${ingress.url}/v1/models`, { headers: { authorization: `Bearer ${k}` } }).then((r) => r.arrayBuffer())));
    }
    // Again: answered from the negative cache.
    await Promise.all(randoms.slice(0, 100).map((k) => fetch(`${ingress.url}/v1/models`, { headers: { authorization: `Bearer ${k}` } }).then((r) => r.arrayBuffer())));
    assert.ok(randoms.slice(0, 100).every((k) => lookups.get(hashApiKey(k)) === 1));
    assert.equal((await real()).status, 200);
    assert.equal(lookups.get(hashApiKey(key)), realLookups, 'the real key stayed cached');
  });
});
