import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { type AutoSignal, type KeyPrincipal, type PlanReply, type PlanRequest, type RateLimitAcquireReply, type RoutePreferences, TfError } from '@tokenflow/contracts';
import type { AutoAdvisor } from './auto-advisor';
import { chunk, end, HOLD, planFor, RecordingClient, recordCompensations, ScriptedAttempts } from '../../test/support/lifecycle-fakes';
import type { AdmissionService } from './admission.service';
import type { AttemptRunner } from './attempt-runner';
import type { BodyCarrier } from './carried-body';
import type { BusCompensations } from './bus-compensations';
import { OpenAiStreamFormat } from './formats/openai-stream.format';
import { type GatewayCall, GatewayService } from './gateway.service';
import type { RouterClient } from './router.client';
import { ShutdownDrain, ShuttingDownError } from '../lifecycle/shutdown-drain';

const PRINCIPAL: KeyPrincipal = {
  keyId: 'k1',
  accountId: 'a1',
  name: null,
  models: null,
  limits: { rpm: null, tpm: null, maxConcurrency: null, models: null },
  accountLimits: null,
  expiresAt: null,
  budget: null, fallbacks: null,
};
const LIMITS: RateLimitAcquireReply = { requests: null, tokens: null, degraded: false, reserved: true };

/** The lifecycle with every port scripted: what it asks of the router, admission and attempts, and what it undoes. */
function harness(opts: { attempts: ScriptedAttempts; models?: (req: PlanRequest) => string; chain?: (req: PlanRequest) => string[]; admit?: () => Promise<void> }) {
  const effects = recordCompensations();
  const plans: PlanRequest[] = [];
  const router = {
    plan: async (req: PlanRequest) => (plans.push(req), planFor(opts.models?.(req) ?? 'deepseek-v3', { ...(req.model === 'auto' ? { route: 'auto-default' as const } : {}), fallbacks: opts.chain?.(req) ?? [] })),
  };
  const admission = {
    admit: async (_p: KeyPrincipal, _plan: unknown, _size: unknown, saga: import('./request-saga').RequestSaga) => {
      saga.limitsTaken(LIMITS);
      await opts.admit?.();
      saga.holdPlaced();
      return HOLD;
    },
  };
  const carrier = { carry: async (body: Record<string, unknown>) => ({ fields: { body }, close: () => undefined }) };
  const compensations = { forCall: () => effects };
  const decided: string[] = [];
  const advisor = {
    signal: (_body: unknown, promptTokens: number, prefs: RoutePreferences): AutoSignal => ({ category: 'chat', gain: -0.2, classifier: 'test', threshold: 0.1, promptTokens, maxTokens: null, prefs }),
    decided: (plan: PlanReply) => void decided.push(plan.model),
  };
  const drain = new ShutdownDrain();
  const gateway = new GatewayService(
    router as unknown as RouterClient,
    admission as unknown as AdmissionService,
    carrier as unknown as BodyCarrier,
    opts.attempts as unknown as AttemptRunner,
    compensations as unknown as BusCompensations,
    advisor as unknown as AutoAdvisor,
    drain,
  );
  return { gateway, effects, plans, decided, drain };
}

function call(model: string, streaming: boolean, client = new RecordingClient(), principal = PRINCIPAL): GatewayCall {
  const body = { model, messages: [{ role: 'user', content: 'hi' }], ...(streaming ? { stream: true } : {}) };
  return {
    endpoint: 'chat',
    body,
    format: OpenAiStreamFormat.chat(streaming, { includeUsage: false, model, requestId: 'req_1' }),
    principal,
    prompt: { tokens: 3, reserve: 20 },
    bodyBytes: 64,
    requestId: 'req_1',
    ctx: { requestId: 'req_1', deadline: Date.now() + 30_000 },
    client,
  };
}

describe('GatewayService lifecycle (plan → admit → attempts → present → usage)', () => {
  it('folds a whole answer, says who served it and what it cost, and leaves settlement to the usage event', async () => {
    const h = harness({ attempts: new ScriptedAttempts([[chunk(0, 'Hel'), chunk(1, 'lo'), end(2)]]) });
    const c = new RecordingClient();
    await h.gateway.complete(call('deepseek-v3', false, c));
    assert.equal(c.status, 'json');
    const message = (c.body?.choices as { message: { content: string } }[])[0].message;
    assert.equal(message.content, 'Hello');
    assert.equal(c.headers['x-tokenflow-model'], 'deepseek-v3');
    assert.equal(c.headers['x-tokenflow-provider'], 'deepseek');
    // 10 prompt tokens at 1,000 nano and 5 output tokens at 2,000 nano: 20,000 nano-USD.
    assert.equal(c.headers['x-tokenflow-cost-usd'], '0.00002');
    assert.deepEqual(h.effects.log, ['limits req_1 refund=false']);
  });

  /** A response still in flight for the drain to wait on; `emit('close')` ends it. */
  const openResponse = () => Object.assign(new EventEmitter(), { destroyed: false, writableFinished: false });

  it('ends a call that reaches it after the shutdown cut with the shutdown error, before planning anything', async () => {
    const h = harness({ attempts: new ScriptedAttempts([[chunk(0, 'a'), end(1)]]) });
    const res = openResponse();
    h.drain.track(res as unknown as ServerResponse);
    const inFlight = h.drain.enter();
    const drained = h.drain.drain(null, 0);
    while (!inFlight.cut.aborted) await sleep(1);
    inFlight.release();
    await assert.rejects(h.gateway.complete(call('deepseek-v3', true)), (e: unknown) => e instanceof ShuttingDownError);
    assert.equal(h.plans.length, 0);
    assert.deepEqual(h.effects.log, []);
    res.emit('close');
    await drained;
  });

  it('relays SSE as it arrives and ends it with [DONE]', async () => {
    const h = harness({ attempts: new ScriptedAttempts([[chunk(0, 'a'), chunk(1, 'b'), end(2)]]) });
    const c = new RecordingClient();
    await h.gateway.complete(call('deepseek-v3', true, c));
    assert.equal(c.status, 'stream');
    assert.equal(c.text.match(/^data: \{/gm)?.length, 2);
    assert.match(c.text, /data: \[DONE\]\n\n$/);
    assert.ok(c.ended);
    assert.deepEqual(h.effects.log, ['limits req_1 refund=false']);
  });

  it('ends a stream whose attempt fails midway with an error event, not [DONE]', async () => {
    const failed = { type: 'error' as const, seq: 1, error: new TfError('upstream_error', 'upstream broke').toWire() };
    const h = harness({ attempts: new ScriptedAttempts([[chunk(0, 'a'), failed]]) });
    const c = new RecordingClient();
    await h.gateway.complete(call('deepseek-v3', true, c));
    assert.match(c.text, /"message":"upstream broke"/);
    assert.doesNotMatch(c.text, /\[DONE\]/);
    // Output went out, so the adapter bills it: no hold release, the TPM estimate stays for usage to correct.
    assert.deepEqual(h.effects.log, ['limits req_1 refund=false']);
  });

  it('lets auto plan a larger model when the input did not fit, each round its own hold, limits taken once', async () => {
    const h = harness({
      attempts: new ScriptedAttempts([new TfError('context_length_exceeded', 'too long'), [chunk(0, 'ok'), end(1)]]),
      models: (req) => (req.excludeModels?.includes('deepseek-v3') ? 'qwen-long' : 'deepseek-v3'),
    });
    const c = new RecordingClient();
    await h.gateway.complete(call('auto', false, c));
    assert.deepEqual(h.plans.map((p) => p.excludeModels ?? []), [[], ['deepseek-v3']]);
    assert.deepEqual(h.plans.map((p) => p.requestId), ['req_1', 'req_1-r1']);
    assert.equal(c.headers['x-tokenflow-model'], 'qwen-long');
    assert.deepEqual(h.effects.log, ['hold req_1', 'limits req_1 refund=false']);
  });

  it('does not re-plan a model the caller named; the hold and the TPM estimate go back', async () => {
    const h = harness({ attempts: new ScriptedAttempts([new TfError('context_length_exceeded', 'too long')]) });
    await assert.rejects(h.gateway.complete(call('deepseek-v3', false)), (e: unknown) => e instanceof TfError && e.code === 'context_length_exceeded');
    assert.equal(h.plans.length, 1);
    assert.deepEqual(h.effects.log, ['hold req_1', 'limits req_1 refund=true']);
  });

  it("falls back along the chain when every attempt failed retryably: each model its own round and hold, the answer names who served it", async () => {
    const attempts = new ScriptedAttempts([new TfError('upstream_error', 'HTTP 500', { retryable: true }), new TfError('rate_limit_exceeded', '429', { retryable: true }), [chunk(0, 'ok'), end(1)]]);
    const h = harness({ attempts, models: (req) => req.model, chain: (req) => (req.fallbacks?.length === 0 ? [] : ['qwen-max', 'glm-4-plus']) });
    const c = new RecordingClient();
    await h.gateway.complete(call('deepseek-v3', false, c));
    assert.deepEqual(h.plans.map((p) => [p.requestId, p.model, p.fallbacks]), [['req_1', 'deepseek-v3', undefined], ['req_1-r1', 'qwen-max', []], ['req_1-r2', 'glm-4-plus', []]]);
    // Keys that failed are never named again by a later round's plan.
    assert.deepEqual(h.plans[2].avoidKeys, ['ch_1/kref']);
    assert.deepEqual(attempts.bases.map((b) => [b.requestId, b.model]), [['req_1', 'deepseek-v3'], ['req_1-r1', 'qwen-max'], ['req_1-r2', 'glm-4-plus']]);
    // Only the last model may wait out a rate limit: the others have a model after them.
    assert.deepEqual(attempts.mayWait, [false, false, true]);
    assert.equal(c.headers['x-tokenflow-model'], 'glm-4-plus');
    assert.equal(c.headers['x-tokenflow-attempts'], '3');
    assert.equal(c.headers['x-tokenflow-route'], 'fallback; model=glm-4-plus; from=deepseek-v3');
    // The two failed rounds' holds go back; the served round's is settled by its usage; limits given back once.
    assert.deepEqual(h.effects.log, ['hold req_1', 'hold req_1-r1', 'limits req_1 refund=false']);
  });

  it("skips a fallback model that cannot take the input, and answers with the last real failure when none can", async () => {
    const attempts = new ScriptedAttempts([new TfError('upstream_error', 'HTTP 503', { retryable: true })]);
    const h = harness({ attempts, models: (req) => req.model, chain: (req) => (req.fallbacks?.length === 0 ? [] : ['text-only']) });
    const c = call('deepseek-v3', false);
    const image = { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] };
    const router = h.gateway['router'] as unknown as { plan: (r: PlanRequest) => Promise<PlanReply> };
    const plan = router.plan.bind(router);
    router.plan = async (r) => ({ ...(await plan(r)), inputs: r.model === 'text-only' ? [] : ['image'] });
    await assert.rejects(h.gateway.complete({ ...c, body: { ...c.body, messages: [image] } }), (e: unknown) => e instanceof TfError && e.code === 'upstream_error');
    assert.deepEqual(h.plans.map((p) => p.model), ['deepseek-v3', 'text-only']);
  });

  it("avoids, in later rounds, only keys that failed for their own reasons", async () => {
    const attempts = new ScriptedAttempts([new TfError('upstream_error', 'HTTP 500', { retryable: true }), new TfError('upstream_auth_error', '401', { retryable: true }), [chunk(0, 'ok'), end(1)]]);
    const h = harness({ attempts, models: (req) => req.model, chain: (req) => (req.fallbacks?.length === 0 ? [] : ['b', 'c']) });
    const c = new RecordingClient();
    await h.gateway.complete(call('a', false, c));
    assert.deepEqual(h.plans.map((p) => p.avoidKeys), [undefined, undefined, ['ch_1/kref']], 'a 500 says nothing about the key; a 401 does');
  });

  it('says where a fallback came from when the router itself started on the chain', async () => {
    const h = harness({ attempts: new ScriptedAttempts([[chunk(0, 'a'), end(1)]]), models: () => 'qwen-max' });
    const router = h.gateway['router'] as unknown as { plan: (r: PlanRequest) => Promise<PlanReply> };
    const plan = router.plan.bind(router);
    router.plan = async (r) => ({ ...(await plan(r)), route: 'fallback' });
    const c = new RecordingClient();
    await h.gateway.complete(call('deepseek-v3', false, c));
    assert.equal(c.headers['x-tokenflow-route'], 'fallback; model=qwen-max; from=deepseek-v3');
    assert.equal(c.headers['x-tokenflow-model'], 'qwen-max');
  });

  it("classifies an auto chat request once, sends the signal and preferences with the plan, and explains the router's decision", async () => {
    const h = harness({ attempts: new ScriptedAttempts([[chunk(0, 'a'), end(1)]]), models: () => 'deepseek-v3' });
    const router = h.gateway['router'] as unknown as { plan: (r: PlanRequest) => Promise<PlanReply> };
    const plan = router.plan.bind(router);
    router.plan = async (r) => ({ ...(await plan(r)), route: 'auto', explain: 'cat=chat;gain=-0.2;mode=economy;est_usd=0.00001;reason=cheap;fallback=glm-4-plus' });
    const c = new RecordingClient();
    await h.gateway.complete({ ...call('auto', false, c), prefs: { mode: 'economy' } });
    assert.deepEqual(h.plans[0].auto, { category: 'chat', gain: -0.2, classifier: 'test', threshold: 0.1, promptTokens: 3, maxTokens: null, prefs: { mode: 'economy' } });
    assert.equal(c.headers['x-tokenflow-route'], 'cat=chat;gain=-0.2;mode=economy;est_usd=0.00001;reason=cheap;fallback=glm-4-plus');
    assert.equal(c.headers['x-tokenflow-model'], 'deepseek-v3');
    assert.deepEqual(h.decided, ['deepseek-v3'], 'counted by model and category');
    // The category rides to the adapter, whose usage event leaves it on the ledger entry.
    const attempts = h.gateway['attempts'] as unknown as ScriptedAttempts;
    assert.equal(attempts.bases[0].category, 'chat');
    // A named model is not classified.
    const named = harness({ attempts: new ScriptedAttempts([[chunk(0, 'a'), end(1)]]) });
    await named.gateway.complete(call('deepseek-v3', false));
    assert.equal(named.plans[0].auto, undefined);
    assert.equal((named.gateway['attempts'] as unknown as ScriptedAttempts).bases[0].category, undefined);
  });

  it("keeps auto's explanation when its first choice failed, naming the model that served and those passed over", async () => {
    const attempts = new ScriptedAttempts([new TfError('upstream_error', 'HTTP 500', { retryable: true }), [chunk(0, 'ok'), end(1)]]);
    const h = harness({ attempts, models: (req) => (req.model === 'auto' ? 'deepseek-v3' : req.model) });
    const router = h.gateway['router'] as unknown as { plan: (r: PlanRequest) => Promise<PlanReply> };
    const plan = router.plan.bind(router);
    const explained = 'cat=chat;gain=-0.2;mode=balanced;est_usd=0.00001;reason=cheap;fallback=glm-4-plus';
    router.plan = async (r) => (r.model === 'auto' ? { ...(await plan(r)), route: 'auto', explain: explained, fallbacks: ['glm-4-plus'] } : plan(r));
    const c = new RecordingClient();
    await h.gateway.complete(call('auto', false, c));
    assert.deepEqual(h.plans.map((p) => p.model), ['auto', 'glm-4-plus']);
    assert.equal(c.headers['x-tokenflow-model'], 'glm-4-plus');
    assert.equal(c.headers['x-tokenflow-route'], `${explained};served=glm-4-plus;after=deepseek-v3`);
  });

  it('sends the latency target with every round, named models included', async () => {
    const attempts = new ScriptedAttempts([new TfError('upstream_error', 'HTTP 500', { retryable: true }), [chunk(0, 'ok'), end(1)]]);
    const h = harness({ attempts, models: (req) => req.model, chain: (req) => (req.fallbacks?.length === 0 ? [] : ['qwen-max']) });
    await h.gateway.complete({ ...call('deepseek-v3', false), prefs: { latencyTargetMs: 800 } });
    assert.deepEqual(h.plans.map((p) => [p.model, p.latencyTargetMs]), [['deepseek-v3', 800], ['qwen-max', 800]]);
  });

  it('returns a non-retryable error at once, without trying a fallback model', async () => {
    const h = harness({ attempts: new ScriptedAttempts([new TfError('invalid_request', 'bad temperature')]), chain: () => ['qwen-max'] });
    await assert.rejects(h.gateway.complete(call('deepseek-v3', false)), (e: unknown) => e instanceof TfError && e.code === 'invalid_request');
    assert.equal(h.plans.length, 1);
  });

  it("gives the router the request's fallbacks over the key's, and the key's over the catalog's", async () => {
    const withBoth = harness({ attempts: new ScriptedAttempts([[chunk(0, 'a'), end(1)]]) });
    await withBoth.gateway.complete({ ...call('deepseek-v3', false, new RecordingClient(), { ...PRINCIPAL, fallbacks: ['kimi-k2'] }), fallbacks: ['glm-4-plus'] });
    assert.deepEqual(withBoth.plans[0].fallbacks, ['glm-4-plus']);
    const keyOnly = harness({ attempts: new ScriptedAttempts([[chunk(0, 'a'), end(1)]]) });
    await keyOnly.gateway.complete(call('deepseek-v3', false, new RecordingClient(), { ...PRINCIPAL, fallbacks: ['kimi-k2'] }));
    assert.deepEqual(keyOnly.plans[0].fallbacks, ['kimi-k2']);
    const c = new RecordingClient();
    const none = harness({ attempts: new ScriptedAttempts([[chunk(0, 'a'), end(1)]]) });
    await none.gateway.complete(call('deepseek-v3', false, c));
    assert.equal(none.plans[0].fallbacks, undefined, "the catalog's chain");
    assert.equal(c.headers['x-tokenflow-attempts'], '1');
    assert.equal(c.headers['x-tokenflow-route'], undefined, 'served as asked');
  });

  it('refuses a model the key may not use before planning anything', async () => {
    const h = harness({ attempts: new ScriptedAttempts([]) });
    await assert.rejects(h.gateway.complete(call('gpt-4o', false, new RecordingClient(), { ...PRINCIPAL, models: ['deepseek-v3'] })), (e: unknown) => e instanceof TfError && e.code === 'model_not_allowed');
    assert.equal(h.plans.length, 0);
    assert.deepEqual(h.effects.log, []);
  });

  it('stops the attempt once when the client leaves mid-stream', async () => {
    const c = new RecordingClient();
    const frames = [chunk(0, 'a'), chunk(1, 'b'), chunk(2, 'c'), end(3)];
    const attempts = new ScriptedAttempts([frames]);
    const h = harness({ attempts });
    // The client goes away as the first chunk is written.
    const write = c.write.bind(c);
    c.write = (text: string) => (c.left.abort(), write(text));
    await h.gateway.complete(call('deepseek-v3', true, c));
    assert.deepEqual(h.effects.log, ['cancel req_1 client_disconnected', 'limits req_1 refund=false']);
  });

  for (const streaming of [true, false]) {
    it(`stops waiting for frames the moment the client leaves (${streaming ? 'SSE' : 'whole answer'}), so its slots go back at once`, { timeout: 5_000 }, async () => {
      const c = new RecordingClient();
      // The upstream sent one chunk, then went quiet: the wait for the next frame has no end of its own here.
      const attempts = new ScriptedAttempts([[chunk(0, 'a')]], true);
      const h = harness({ attempts });
      const done = h.gateway.complete(call('deepseek-v3', streaming, c)).catch(() => undefined);
      await new Promise((r) => setImmediate(r));
      c.left.abort();
      await done;
      assert.ok(attempts.frames?.closed);
      assert.deepEqual(h.effects.log, ['cancel req_1 client_disconnected', 'limits req_1 refund=false']);
    });
  }

  it('gives a reader that stopped reading up, stopping its attempt', async () => {
    const c = new RecordingClient();
    c.stalled = true;
    const h = harness({ attempts: new ScriptedAttempts([[chunk(0, 'a'), chunk(1, 'b'), end(2)]]) });
    await h.gateway.complete(call('deepseek-v3', true, c));
    assert.ok(c.signal.aborted);
    assert.deepEqual(h.effects.log, ['cancel req_1 client_disconnected', 'limits req_1 refund=false']);
  });

  it('stops an attempt that goes silent, and tells the streaming client why', async () => {
    const c = new RecordingClient();
    const h = harness({ attempts: new ScriptedAttempts([[chunk(0, 'a')]]) });
    await h.gateway.complete(call('deepseek-v3', true, c));
    assert.match(c.text, /"error":\{/);
    assert.deepEqual(h.effects.log, ['cancel req_1 deadline', 'limits req_1 refund=false']);
  });

  it('gives the hold back when billing placed it but no attempt could start', async () => {
    const h = harness({ attempts: new ScriptedAttempts([new TfError('upstream_error', 'every channel failed')]) });
    await assert.rejects(h.gateway.complete(call('deepseek-v3', false)));
    assert.deepEqual(h.effects.log, ['hold req_1', 'limits req_1 refund=true']);
  });
});
