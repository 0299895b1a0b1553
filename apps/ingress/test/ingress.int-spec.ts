import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { generateApiKey, hashApiKey, type KeyPrincipal, Subjects, TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { testNamespace, testUrls, waitFor } from '@tokenflow/testing';
import { ingressEnvSchema } from '../src/config';
import { createIngressApp, type IngressApp } from '../src/ingress.app';

/**
 * Ingress alone on the real NATS server; the other services are played by responders in this test, so each HTTP
 * behaviour (auth cache, error rendering, headers) is checked in isolation.
 */
describe('ingress (real NATS, scripted peers)', () => {
  const ns = testNamespace('ingress');
  const adminKey = 'admin-key-for-ingress-test';
  let ingress: IngressApp;
  let peers: NatsBus;
  const key = generateApiKey();
  const principal: KeyPrincipal = { keyId: 'k1', accountId: 'a1', name: null, models: ['gpt-4o'], limits: { rpm: null, tpm: null, maxConcurrency: null, models: null }, accountLimits: null, expiresAt: null, budget: null, fallbacks: null };
  let authCalls = 0;

  before(async () => {
    peers = await NatsBus.connect({ url: testUrls.nats, name: 'peers', namespace: ns });
    peers.serve(Subjects.billingAuth, (req) => {
      authCalls++;
      return { principal: req.keyHash === hashApiKey(key) ? principal : null };
    });
    peers.serve(Subjects.routerModelsList, (req) => ({
      object: 'list',
      data: (req.allowedModels ?? ['gpt-4o', 'qwen-max']).map((id) => ({ id, object: 'model' as const, created: 1, owned_by: 'x' })),
    }));
    peers.serve(Subjects.routerModelGet, (req) => {
      throw new TfError('model_not_found', `The model '${req.id}' does not exist or you do not have access to it.`, { param: 'model' });
    });
    peers.serve(Subjects.billingAccountCreate, (req) => ({ id: 'acc', name: req.name, balance_usd: req.credit_usd ?? '0.00', credit_limit_usd: '0.00', rate_limits: { rpm: null, tpm: null, max_concurrency: null, model_limits: null }, created_at: 'now' }));
    await peers.flush();
    ingress = await createIngressApp(
      ingressEnvSchema.parse({ NATS_URL: testUrls.nats, TF_NAMESPACE: ns, PORT: '0', HOST: '127.0.0.1', TOKENFLOW_ADMIN_KEY: adminKey, BODY_LIMIT_BYTES: '2048' }),
    );
  });
  after(async () => {
    await ingress.close();
    await peers.close();
  });

  const get = (path: string, auth?: string) => fetch(`${ingress.url}${path}`, { headers: auth ? { authorization: `Bearer ${auth}` } : {} });

  it('caches key lookups and drops the entry when billing broadcasts a change', async () => {
    const before = authCalls;
    for (let i = 0; i < 5; i++) assert.equal((await get('/v1/models', key)).status, 200);
    assert.equal(authCalls - before, 1, 'one lookup for five requests');
    peers.emit(Subjects.billingKeyChanged, { keyId: 'k1', keyHash: hashApiKey(key), change: 'revoked' });
    await waitFor(async () => (await get('/v1/models', key)).ok && authCalls - before === 2, 2_000, 'cache eviction');
  });

  it('lists only the models the key may use, and renders peer errors in OpenAI format', async () => {
    const list = (await (await get('/v1/models', key)).json()) as { data: { id: string }[] };
    assert.deepEqual(list.data.map((m) => m.id), ['gpt-4o']);
    // Percent-escapes are decoded once: an escaped '%' or a NUL in a model id is an unknown model, never a 500.
    for (const path of ['/v1/models/abc%25zz', '/v1/models/a%00b']) {
      const odd = await get(path, key);
      assert.equal(odd.status, 404, path);
      assert.equal(((await odd.json()) as { error: { code: string } }).error.code, 'model_not_found');
    }
    const res = await get('/v1/models/org/some-model', key);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), {
      error: { message: "The model 'org/some-model' does not exist or you do not have access to it.", type: 'invalid_request_error', param: 'model', code: 'model_not_found' },
    });
  });

  it('gives every response an x-request-id, errors included', async () => {
    for (const res of [await get('/healthz'), await get('/v1/models'), await get('/nope')]) {
      assert.match(res.headers.get('x-request-id') ?? '', /^req_[0-9a-f]{24}$/);
    }
    const notFound = await get('/nope');
    assert.equal(notFound.status, 404);
    assert.equal(((await notFound.json()) as { error: { code: string } }).error.code, 'not_found');
  });

  it('rejects bad bodies with 400/413/415 in OpenAI format', async () => {
    const post = (body: string, contentType = 'application/json') =>
      fetch(`${ingress.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': contentType }, body });
    const cases: [Response, number, string][] = [
      [await post('{"model":'), 400, 'invalid_json'],
      [await post(JSON.stringify({ model: 'gpt-4o', messages: 'hi' })), 400, 'invalid_request'],
      [await post(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(4096) }] })), 413, 'request_too_large'],
      [await post('model=gpt-4o', 'text/plain'), 400, 'invalid_request'],
      [await post('<model/>', 'application/xml'), 415, 'unsupported_media_type'],
    ];
    for (const [res, status, code] of cases) {
      assert.equal(res.status, status);
      const body = (await res.json()) as { error: { code: string; type: string } };
      assert.equal(body.error.code, code);
      assert.equal(body.error.type, 'invalid_request_error');
    }
  });

  it('protects the admin API with the admin key', async () => {
    const create = (auth: string) =>
      fetch(`${ingress.url}/admin/v1/accounts`, { method: 'POST', headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' }, body: '{"name":"x"}' });
    assert.equal((await create('wrong-key-of-some-length')).status, 401);
    // Postgres cannot store a NUL in text: the caller's 400, named, never a database error.
    const nul = await fetch(`${ingress.url}/admin/v1/accounts`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: '{"name":"a\\u0000b"}' });
    assert.equal(nul.status, 400);
    assert.deepEqual(((await nul.json()) as { error: { code: string; param: string } }).error.param, 'name');
    const nulId = await fetch(`${ingress.url}/admin/v1/models/gpt%00x/price`, { headers: { authorization: `Bearer ${adminKey}` } });
    assert.equal(nulId.status, 400);
    const ok = await create(adminKey);
    assert.equal(ok.status, 201);
    assert.equal(((await ok.json()) as { name: string }).name, 'x');
  });

  it('admits uncounted when the limiter fails open, counts it in a metric, and never reaches billing when limited', async () => {
    const holds: string[] = [];
    let degraded = true;
    peers.serve(Subjects.routerPlan, () => ({ model: 'gpt-4o', maxOutputTokens: 100, route: 'direct', reason: 'test', attempts: [], fallbacks: [] }));
    peers.serve(Subjects.ratelimitAcquire, () => {
      if (degraded) return { requests: null, tokens: null, degraded: true };
      throw new TfError('rate_limit_exceeded', 'Rate limit exceeded. Try again in 2.0s.', { retryAfterMs: 2_000, headers: { 'x-ratelimit-remaining-requests': '0' } });
    });
    peers.serve(Subjects.billingHold, (req) => {
      holds.push(req.requestId);
      throw new TfError('insufficient_quota', 'You exceeded your current quota.');
    });
    await peers.flush();
    const chat = () =>
      fetch(`${ingress.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
      });
    assert.equal((await chat()).status, 429, 'admitted by the limiter, refused by billing');
    assert.equal(holds.length, 1);
    assert.match(await (await get('/metrics')).text(), /^tokenflow_ratelimit_degraded_total\{outcome="admitted",service="ingress"\} 1$/m);
    degraded = false;
    const limited = await chat();
    assert.equal(limited.status, 429);
    assert.deepEqual([limited.headers.get('retry-after'), limited.headers.get('x-ratelimit-remaining-requests')], ['2', '0']);
    assert.equal(((await limited.json()) as { error: { code: string } }).error.code, 'rate_limit_exceeded');
    assert.equal(holds.length, 1, 'a rate-limited request never reaches billing');
  });

  it('applies RATELIMIT_FAIL_MODE when the ratelimit service cannot be reached, and gives back what it may have taken', async () => {
    const isolated = testNamespace('ingress-rl-down');
    const others = await NatsBus.connect({ url: testUrls.nats, name: 'peers-2', namespace: isolated });
    const holds: string[] = [];
    const releases: { requestId: string; refundTokens: boolean }[] = [];
    others.serve(Subjects.billingAuth, () => ({ principal }));
    others.serve(Subjects.routerPlan, () => ({ model: 'gpt-4o', maxOutputTokens: 100, route: 'direct', reason: 'test', attempts: [], fallbacks: [] }));
    others.serve(Subjects.billingHold, (req) => {
      holds.push(req.requestId);
      throw new TfError('insufficient_quota', 'You exceeded your current quota.');
    });
    others.on(Subjects.ratelimitRelease, (ev) => {
      releases.push(ev);
    });
    await others.flush();
    const apps: IngressApp[] = [];
    try {
      for (const mode of ['open', 'closed'] as const) {
        const app = await createIngressApp(
          ingressEnvSchema.parse({ NATS_URL: testUrls.nats, TF_NAMESPACE: isolated, PORT: '0', HOST: '127.0.0.1', RATELIMIT_FAIL_MODE: mode, RATELIMIT_TIMEOUT_MS: '200' }),
        );
        apps.push(app);
        const started = Date.now();
        const res = await fetch(`${app.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
        });
        assert.ok(Date.now() - started < 2_000, 'no long wait on a limiter that is not there');
        const body = (await res.json()) as { error: { code: string } };
        const metrics = await (await fetch(`${app.url}/metrics`)).text();
        if (mode === 'open') {
          assert.deepEqual([res.status, body.error.code, holds.length], [429, 'insufficient_quota', 1], 'admitted: billing decided');
          assert.match(metrics, /^tokenflow_ratelimit_degraded_total\{outcome="admitted",service="ingress"\} 1$/m);
        } else {
          assert.deepEqual([res.status, body.error.code, holds.length], [503, 'service_unavailable', 1], 'refused before billing');
          assert.match(metrics, /^tokenflow_ratelimit_degraded_total\{outcome="refused",service="ingress"\} 1$/m);
        }
      }
      // Each request told the limiter to give back whatever it might have counted before its answer was lost.
      await waitFor(async () => releases.length === 2, 2_000, 'releases');
      assert.ok(releases.every((r) => r.refundTokens));
    } finally {
      for (const app of apps) await app.close();
      await others.close();
    }
  });

  it('exposes readiness and Prometheus metrics', async () => {
    assert.deepEqual(await (await get('/readyz')).json(), { status: 'ready' });
    const metrics = await (await get('/metrics')).text();
    assert.match(metrics, /tokenflow_http_requests_total\{route="\/v1\/models",status="200",service="ingress"\} \d+/);
    assert.match(metrics, /^tokenflow_token_count_upper_bound_total\{service="ingress"\} 0$/m);
    assert.match(metrics, /^nodejs_eventloop_lag_max_seconds\{service="ingress"\} /m);
  });
});
