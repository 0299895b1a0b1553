import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { type KeyPrincipal, type RateLimitAcquireRequest, Subjects, TfError } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { testNamespace, testUrls, waitFor } from '@tokenflow/testing';
import { Registry } from 'prom-client';
import { ATTEMPT, recordCompensations, planFor } from './support/lifecycle-fakes';
import { ingressEnvSchema } from '../src/config';
import { AdmissionService } from '../src/gateway/admission.service';
import { AttemptLog, AttemptRunner } from '../src/gateway/attempt-runner';
import { RequestSaga } from '../src/gateway/request-saga';
import { StreamMetrics } from '../src/gateway/stream-metrics';

const PRINCIPAL: KeyPrincipal = {
  keyId: 'k1',
  accountId: 'a1',
  name: null,
  models: null,
  limits: { rpm: 10, tpm: null, maxConcurrency: null, models: null },
  accountLimits: null,
  expiresAt: null,
  budget: null, fallbacks: null,
};
const SIZE = { promptTokens: 3, promptReserve: 20, outputTokens: 100 };
const RETRIES = { RETRY_DELAYED_MAX: 0, RETRY_BASE_MS: 500, RETRY_MAX_WAIT_MS: 0 };

/**
 * Admission against the real NATS server, with this test answering for the ratelimit and billing services: the
 * order of the two steps, what reaches billing, and how the saga learns what was taken.
 */
describe('AdmissionService (real NATS)', () => {
  const namespace = testNamespace('admission');
  let ingressBus: NatsBus;
  let servicesBus: NatsBus;
  const acquires: RateLimitAcquireRequest[] = [];
  const holds: string[] = [];
  let limiter: 'admit' | 'deny' | 'degraded' = 'admit';
  let billing: 'hold' | 'broke' = 'hold';

  before(async () => {
    ingressBus = await NatsBus.connect({ url: testUrls.nats, name: 'admission-ingress', namespace });
    servicesBus = await NatsBus.connect({ url: testUrls.nats, name: 'admission-services', namespace });
    servicesBus.serve(Subjects.ratelimitAcquire, (req) => {
      acquires.push(req);
      if (limiter === 'deny') throw new TfError('rate_limit_exceeded', 'Rate limit reached for requests per minute.');
      return { requests: null, tokens: null, degraded: limiter === 'degraded', reserved: true };
    });
    servicesBus.serve(Subjects.billingHold, (req) => {
      holds.push(`${req.requestId} ${req.promptTokens}+${req.maxOutputTokens}`);
      if (billing === 'broke') throw new TfError('insufficient_quota', 'You exceeded your current quota.');
      return { holdId: 'h1', amountNano: '1', price: { inputNanoPerToken: '1', outputNanoPerToken: '1' } };
    });
    await servicesBus.flush();
  });

  after(async () => {
    await ingressBus.close();
    await servicesBus.close();
  });

  function admission(failMode: 'open' | 'closed') {
    const config = ingressEnvSchema.parse({ RATELIMIT_FAIL_MODE: failMode, RATELIMIT_TIMEOUT_MS: '200' });
    return new AdmissionService(ingressBus, config, new Registry());
  }

  function reset(): ReturnType<typeof recordCompensations> {
    acquires.length = 0;
    holds.length = 0;
    limiter = 'admit';
    billing = 'hold';
    return recordCompensations();
  }

  it('takes the limits for the reserved size, then the hold, and tells the saga both', async () => {
    const effects = reset();
    const saga = new RequestSaga('req_ok', effects);
    saga.startRound();
    const hold = await admission('open').admit(PRINCIPAL, planFor('deepseek-v3'), SIZE, saga, { deadline: Date.now() + 10_000 });
    assert.equal(hold.holdId, 'h1');
    assert.equal(acquires.length, 1);
    assert.equal(acquires[0].estimatedTokens, 120);
    assert.ok(acquires[0].leaseMs! > 30_000 && acquires[0].leaseMs! <= 40_000, 'the lease follows the remaining budget');
    assert.deepEqual(holds, ['req_ok 20+100']);
    await saga.endRound();
    saga.endCall();
    assert.deepEqual(effects.log, ['hold req_ok', 'limits req_ok refund=true']);
  });

  it('never asks billing for a request the limiter denied', async () => {
    const effects = reset();
    limiter = 'deny';
    const saga = new RequestSaga('req_denied', effects);
    saga.startRound();
    await assert.rejects(admission('open').admit(PRINCIPAL, planFor('deepseek-v3'), SIZE, saga, {}), (e: unknown) => e instanceof TfError && e.code === 'rate_limit_exceeded');
    assert.deepEqual(holds, []);
    saga.endCall();
    assert.deepEqual(effects.log, []);
  });

  it('fails closed with a 503 when the limiter cannot count, and gives its reservation back', async () => {
    const effects = reset();
    limiter = 'degraded';
    const saga = new RequestSaga('req_closed', effects);
    saga.startRound();
    await assert.rejects(admission('closed').admit(PRINCIPAL, planFor('deepseek-v3'), SIZE, saga, {}), (e: unknown) => e instanceof TfError && e.code === 'service_unavailable');
    assert.deepEqual(holds, []);
    saga.endCall();
    assert.deepEqual(effects.log, ['limits req_closed refund=true']);
  });

  it('fails open when told to: admitted, and held', async () => {
    reset();
    limiter = 'degraded';
    const saga = new RequestSaga('req_open', recordCompensations());
    saga.startRound();
    await admission('open').admit(PRINCIPAL, planFor('deepseek-v3'), SIZE, saga, {});
    assert.deepEqual(holds, ['req_open 20+100']);
  });

  it('releases nothing for a hold billing refused, and keeps a later round from taking the limits again', async () => {
    const effects = reset();
    const saga = new RequestSaga('req_rounds', effects);
    saga.startRound();
    await admission('open').admit(PRINCIPAL, planFor('deepseek-v3'), SIZE, saga, {});
    saga.attemptAccepted();
    saga.attemptRefused();
    await saga.endRound();
    saga.startRound();
    billing = 'broke';
    await assert.rejects(admission('open').admit(PRINCIPAL, planFor('qwen-long'), SIZE, saga, {}), (e: unknown) => e instanceof TfError && e.code === 'insufficient_quota');
    assert.equal(acquires.length, 1, 'the call was admitted once');
    await saga.endRound();
    saga.endCall();
    assert.deepEqual(effects.log, ['hold req_rounds', 'limits req_rounds refund=true']);
  });

  it('answers a call whose budget ran out while the limiter was asked with its timeout, not as a limiter outage', async () => {
    const effects = reset();
    const slowNs = `${namespace}-rl`;
    const slow = await NatsBus.connect({ url: testUrls.nats, name: 'admission-slow-rl', namespace: slowNs });
    const bus = await NatsBus.connect({ url: testUrls.nats, name: 'admission-rl-caller', namespace: slowNs });
    slow.serve(Subjects.ratelimitAcquire, async () => {
      await new Promise((r) => setTimeout(r, 400)); // slower than the call's whole budget
      return { requests: null, tokens: null, degraded: false, reserved: true };
    });
    await slow.flush();
    after(() => Promise.all([bus.close(), slow.close()]));
    const config = ingressEnvSchema.parse({ RATELIMIT_FAIL_MODE: 'closed', RATELIMIT_TIMEOUT_MS: '1000' });
    const registry = new Registry();
    const saga = new RequestSaga('req_late', effects);
    saga.startRound();
    await assert.rejects(new AdmissionService(bus, config, registry).admit(PRINCIPAL, planFor('deepseek-v3'), SIZE, saga, { deadline: Date.now() + 150 }), (e: unknown) => e instanceof TfError && e.code === 'upstream_timeout');
    assert.doesNotMatch(await registry.metrics(), /tokenflow_ratelimit_degraded_total\{outcome="refused"\} [1-9]/, 'not counted as a limiter outage');
    await saga.endRound();
    saga.endCall();
    assert.deepEqual(effects.log, [], 'nothing was taken: no hold asked for, no release of one');
  });

  it('treats an invoke no adapter received as never run, and one left unanswered as maybe running', async () => {
    const base = { requestId: 'req_inv', endpoint: 'chat' as const, body: {}, accountId: 'a1', keyId: 'k1', model: 'deepseek-v3', price: { inputNanoPerToken: '1', outputNanoPerToken: '1' }, size: SIZE };
    // Nobody serves the invoke subject in this namespace: the attempt never ran, so the hold goes back and nothing is cancelled.
    const none = recordCompensations();
    const a = new RequestSaga('req_none', none);
    a.startRound();
    a.holdPlaced();
    await assert.rejects(new AttemptRunner(ingressBus, RETRIES, new StreamMetrics(new Registry())).open([ATTEMPT], base, { deadline: Date.now() + 2_000 }, new AbortController().signal, a, { mayWait: false, log: new AttemptLog() }), (e: unknown) => e instanceof TfError && e.code === 'service_unavailable');
    await a.endRound();
    assert.deepEqual(none.log, ['hold req_none']);

    // An adapter that takes the invoke and never acknowledges it in time: it may be running, so it is cancelled and
    // its hold is left for its usage event (or the expiry job) to settle.
    const silentNs = `${namespace}-inv`;
    const adapter = await NatsBus.connect({ url: testUrls.nats, name: 'admission-silent-adapter', namespace: silentNs });
    const bus = await NatsBus.connect({ url: testUrls.nats, name: 'admission-invoker', namespace: silentNs });
    adapter.serve(Subjects.adapterInvoke, () => new Promise(() => undefined));
    await adapter.flush();
    after(() => Promise.all([bus.close(), adapter.close()]));
    const maybe = recordCompensations();
    const b = new RequestSaga('req_maybe', maybe);
    b.startRound();
    b.holdPlaced();
    await assert.rejects(new AttemptRunner(bus, RETRIES, new StreamMetrics(new Registry())).open([ATTEMPT], base, { deadline: Date.now() + 300 }, new AbortController().signal, b, { mayWait: false, log: new AttemptLog() }));
    await b.endRound();
    assert.deepEqual(maybe.log, ['cancel req_maybe deadline']);
  });

  it('gives a hop the time the call has left, not its own 5 s', async () => {
    reset();
    const started = Date.now();
    const slow = await NatsBus.connect({ url: testUrls.nats, name: 'admission-slow', namespace: `${namespace}-slow` });
    const caller = await NatsBus.connect({ url: testUrls.nats, name: 'admission-caller', namespace: `${namespace}-slow` });
    let budgetSeen = -1;
    slow.serve(Subjects.routerPlan, async (_req, ctx) => {
      budgetSeen = ctx.deadline === undefined ? -1 : ctx.deadline - Date.now();
      await new Promise((r) => setTimeout(r, 2_000)); // a router that takes longer than the caller will wait
      return planFor('x');
    });
    await slow.flush();
    after(() => Promise.all([caller.close(), slow.close()]));
    await assert.rejects(caller.request(Subjects.routerPlan, { requestId: 'r', model: 'x', allowedModels: null }, { ctx: { deadline: Date.now() + 300 } }), (e: unknown) => e instanceof TfError && e.code === 'upstream_timeout');
    assert.ok(Date.now() - started < 1_500, 'the hop ended with the budget');
    await waitFor(() => budgetSeen !== -1);
    assert.ok(budgetSeen > 0 && budgetSeen <= 300, `the receiver saw the remaining budget (${budgetSeen} ms)`);
  });
});

