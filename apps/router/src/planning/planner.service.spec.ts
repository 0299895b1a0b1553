import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError, type PlanRequest, upstreamKeyFingerprint } from '@tokenflow/contracts';
import type { RouterConfig } from '../config';
import type { ChannelEntity, ModelEntity } from '../db/entities';
import { breakerConfig, report } from '../../test/support/health-fixtures';
import { HealthBook } from '../health/health-book';
import { PlannerService } from './planner.service';
import { channelKeys, type RoutingSnapshot, type RoutingTable } from './routing-table';

let seq = 0;
function channel(over: Partial<ChannelEntity> & { name: string }): ChannelEntity {
  return {
    id: `ch-${over.name}-${++seq}`,
    provider: 'deepseek',
    baseUrl: `https://${over.name}.example/v1`,
    apiKeys: [`key-${over.name}`],
    models: [],
    modelMapping: {},
    priority: 0,
    weight: 1,
    enabled: true,
    connectTimeoutMs: 1000,
    firstByteTimeoutMs: 2000,
    idleTimeoutMs: 3000,
    ...over,
  } as ChannelEntity;
}

function model(id: string, contextWindow: number | null = null, fallbacks: string[] = []): ModelEntity {
  return { id, ownedBy: 'test', contextWindow, maxOutputTokens: null, fallbacks } as ModelEntity;
}

function snapshotOf(models: ModelEntity[], byModel: Record<string, ChannelEntity[]>): RoutingSnapshot {
  const all = [...new Set(Object.values(byModel).flat())];
  return {
    catalog: new Map(models.map((m) => [m.id, m])),
    channels: new Map(all.map((ch) => [ch.id, ch])),
    byModel: new Map(Object.entries(byModel)),
    keys: new Map(all.map((ch) => [ch.id, channelKeys(ch)])),
    priors: new Map(),
  };
}

/** A RoutingTable stand-in: the planner only reads `current`. */
function planner(models: (string | ModelEntity)[], byModel: Record<string, ChannelEntity[]>, autoDefault = 'deepseek-v3', book = new HealthBook(breakerConfig())): PlannerService {
  const table = { current: snapshotOf(models.map((m) => (typeof m === 'string' ? model(m) : m)), byModel) } as unknown as RoutingTable;
  return new PlannerService(table, { AUTO_DEFAULT_MODEL: autoDefault, PLAN_KEYS_PER_CHANNEL: 3 } as RouterConfig, book, { get: () => null });
}

/** An upstream verdict on a key, applied as the router applies it. */
function keyFailed(book: HealthBook, channelId: string, apiKey: string, reason: 'auth' | 'quota' | 'rate_limited', retryAfterMs?: number): void {
  const ev = book.keyFailed({ channelId, keyFingerprint: upstreamKeyFingerprint(apiKey), reason, retryAfterMs });
  assert.ok(ev);
  book.apply(ev);
}

function req(modelId: string, allowedModels: string[] | null = null): PlanRequest {
  return { requestId: 'req-1', model: modelId, allowedModels };
}

function planError(p: PlannerService, r: PlanRequest): TfError {
  try {
    p.plan(r);
  } catch (err) {
    assert.ok(err instanceof TfError, `expected TfError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected plan(${JSON.stringify(r)}) to throw`);
}

describe('PlannerService', () => {
  it('resolves auto to AUTO_DEFAULT_MODEL with route auto-default', () => {
    const ds = channel({ name: 'ds', models: ['deepseek-v3'] });
    const reply = planner(['deepseek-v3', 'gpt-4o'], { 'deepseek-v3': [ds], 'gpt-4o': [channel({ name: 'oa' })] }).plan(req('auto'));
    assert.equal(reply.model, 'deepseek-v3');
    assert.equal(reply.route, 'auto-default');
    assert.match(reply.reason, /deepseek-v3/);
    assert.deepEqual(
      reply.attempts.map((a) => a.channelId),
      [ds.id],
    );
    // No model_mapping on the channel: the deepseek provider's alias names the upstream model (the one mapping step).
    assert.equal(reply.attempts[0].upstreamModel, 'deepseek-chat');
  });

  it('routes a named model directly', () => {
    const oa = channel({ name: 'oa', provider: 'openai' as ChannelEntity['provider'] });
    const reply = planner(['gpt-4o'], { 'gpt-4o': [oa] }).plan(req('gpt-4o'));
    assert.equal(reply.model, 'gpt-4o');
    assert.equal(reply.route, 'direct');
    assert.match(reply.reason, /health-weighted/);
    assert.deepEqual(reply.fallbacks, []);
  });

  it('fills each attempt from its channel', () => {
    const ch = channel({ name: 'full', apiKeys: ['sk-only'], connectTimeoutMs: 11, firstByteTimeoutMs: 22, idleTimeoutMs: 33 });
    const [attempt] = planner(['m'], { m: [ch] }).plan(req('m')).attempts;
    assert.deepEqual(attempt, {
      channelId: ch.id,
      channelName: 'full',
      provider: 'deepseek',
      baseUrl: 'https://full.example/v1',
      keyRef: upstreamKeyFingerprint('sk-only'),
      upstreamModel: 'm',
      timeouts: { connectMs: 11, firstByteMs: 22, idleMs: 33 },
    });
  });

  it('names upstream keys by reference only: no key is anywhere in a plan', () => {
    const chans = [
      channel({ name: 'a', apiKeys: ['sk-secret-a1', 'sk-secret-a2'], priority: 1, keyLimits: { rpm: 10, tpm: 1000 } }),
      channel({ name: 'b', apiKeys: ['sk-secret-b1'] }),
    ];
    const p = planner(['m'], { m: chans });
    const refs = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const reply = p.plan(req('m'));
      const json = JSON.stringify(reply);
      for (const secret of chans.flatMap((c) => c.apiKeys)) assert.ok(!json.includes(secret), `${secret} in ${json}`);
      assert.ok(!json.includes('apiKey'));
      for (const a of reply.attempts) refs.add(`${a.channelName}:${a.keyRef}`);
    }
    assert.deepEqual([...refs].sort(), ['a:' + upstreamKeyFingerprint('sk-secret-a1'), 'a:' + upstreamKeyFingerprint('sk-secret-a2'), 'b:' + upstreamKeyFingerprint('sk-secret-b1')].sort());
  });

  it('carries a channel\'s per-key limits with a stable reference that does not reveal the key', () => {
    const ch = channel({ name: 'quota', apiKeys: ['sk-secret-1', 'sk-secret-2'], keyLimits: { rpm: 60, tpm: null } });
    const p = planner(['m'], { m: [ch] });
    const byKey = new Map<string, string>();
    for (let i = 0; i < 4; i++) {
      for (const a of p.plan(req('m')).attempts) {
        assert.deepEqual([a.upstreamLimits!.rpm, a.upstreamLimits!.tpm], [60, null]);
        assert.equal(byKey.get(a.keyRef) ?? a.upstreamLimits!.ref, a.upstreamLimits!.ref, 'the same key, the same reference');
        byKey.set(a.keyRef, a.upstreamLimits!.ref);
      }
    }
    assert.equal(new Set(byKey.values()).size, 2, 'one reference per upstream key');
    for (const ref of byKey.values()) assert.ok(/^[0-9a-f]{24}$/.test(ref) && !ref.includes('secret'));
    const second = byKey.get(upstreamKeyFingerprint('sk-secret-2'))!;
    // The provider's quota belongs to the key: another channel with the same key and host shares the count.
    const twin = channel({ name: 'quota', apiKeys: ['sk-secret-2'], keyLimits: { rpm: 60, tpm: null } });
    assert.notEqual(twin.id, ch.id);
    assert.equal(planner(['m'], { m: [twin] }).plan(req('m')).attempts[0].upstreamLimits!.ref, second);
    const elsewhere = channel({ name: 'other-host', apiKeys: ['sk-secret-2'], keyLimits: { rpm: 60, tpm: null } });
    assert.notEqual(planner(['m'], { m: [elsewhere] }).plan(req('m')).attempts[0].upstreamLimits!.ref, second);
    assert.equal(planner(['m'], { m: [channel({ name: 'free' })] }).plan(req('m')).attempts[0].upstreamLimits, undefined);
  });

  it('leaves out a channel key the upstream refused, and a channel whose every key was refused', () => {
    const book = new HealthBook(breakerConfig());
    const multi = channel({ name: 'multi', apiKeys: ['sk-a', 'sk-b'], priority: 10 });
    const single = channel({ name: 'single', apiKeys: ['sk-c'], priority: 10 });
    const spare = channel({ name: 'spare', apiKeys: ['sk-d'], priority: 0 });
    const p = planner(['m'], { m: [multi, single, spare] }, 'm', book);
    keyFailed(book, multi.id, 'sk-a', 'auth');
    keyFailed(book, single.id, 'sk-c', 'quota');
    for (let i = 0; i < 4; i++) {
      assert.deepEqual(
        p.plan(req('m')).attempts.map((a) => [a.channelName, a.keyRef]),
        [
          ['multi', upstreamKeyFingerprint('sk-b')],
          ['spare', upstreamKeyFingerprint('sk-d')],
        ],
      );
    }
    // The operator edits the channel: its verdicts are forgotten.
    book.forgetChannel(single.id);
    assert.equal(p.plan(req('m')).attempts.length, 3);
  });

  it('keeps a rate-limited key out until its Retry-After has passed', () => {
    const book = new HealthBook(breakerConfig());
    const ch = channel({ name: 'rl', apiKeys: ['sk-a', 'sk-b'] });
    const p = planner(['m'], { m: [ch] }, 'm', book);
    keyFailed(book, ch.id, 'sk-a', 'rate_limited', 60_000);
    for (let i = 0; i < 10; i++) assert.deepEqual(p.plan(req('m')).attempts.map((a) => a.keyRef), [upstreamKeyFingerprint('sk-b')]);
    keyFailed(book, ch.id, 'sk-b', 'rate_limited', 1);
    const until = Date.now() + 20;
    while (Date.now() <= until);
    assert.deepEqual(p.plan(req('m')).attempts.map((a) => a.keyRef), [upstreamKeyFingerprint('sk-b')], 'sk-b is back once its 1 ms passed');
  });

  it('never names a key this request already saw fail', () => {
    const ch = channel({ name: 'av', apiKeys: ['sk-a', 'sk-b', 'sk-c'] });
    const p = planner(['m'], { m: [ch] });
    for (let i = 0; i < 20; i++) {
      const refs = p.plan({ ...req('m'), avoidKeys: [`${ch.id}/${upstreamKeyFingerprint('sk-b')}`] }).attempts.map((a) => a.keyRef);
      assert.deepEqual([...refs].sort(), [upstreamKeyFingerprint('sk-a'), upstreamKeyFingerprint('sk-c')].sort());
    }
  });

  it('leaves out a channel whose breaker is open, and plans it last once its cool-down is over', () => {
    const book = new HealthBook(breakerConfig({ BREAKER_COOLDOWN_MS: 100 }));
    const bad = channel({ name: 'bad', priority: 10 });
    const good = channel({ name: 'good', priority: 0 });
    const p = planner(['m'], { m: [bad, good] }, 'm', book);
    const tripped = book.fold(report([{ channelId: bad.id, keyRef: upstreamKeyFingerprint('key-bad'), failed: 5 }]));
    assert.deepEqual(tripped.map((e) => [e.channelId, e.keyRef, e.model, e.state]), [[bad.id, null, 'm', 'open']]);
    for (const ev of tripped) book.apply(ev);
    assert.deepEqual(p.plan(req('m')).attempts.map((a) => a.channelName), ['good']);
    const until = Date.now() + 120;
    while (Date.now() <= until);
    assert.deepEqual(p.plan(req('m')).attempts.map((a) => a.channelName), ['good', 'bad'], 'last resort once the cool-down is over');
  });

  it('falls back from an auto model whose context was too small to the next larger one that has channels', () => {
    const catalog = [model('small', 32_000), model('mid', 128_000), model('orphan', 200_000), model('big', 1_000_000)];
    const p = planner(catalog, { small: [channel({ name: 's' })], mid: [channel({ name: 'm' })], big: [channel({ name: 'b' })] }, 'small');
    const first = p.plan({ ...req('auto'), excludeModels: ['small'] });
    assert.deepEqual([first.model, first.route, first.attempts[0].channelName], ['mid', 'auto-context-fallback', 'm']);
    // 'orphan' has no channel; an input known to be larger than 'mid' skips it too.
    assert.equal(p.plan({ ...req('auto'), excludeModels: ['small', 'mid'] }).model, 'big');
    assert.equal(p.plan({ ...req('auto'), excludeModels: ['small'], minContextTokens: 300_000 }).model, 'big');
    assert.equal(p.plan({ ...req('auto', ['small', 'mid']), excludeModels: ['small'] }).model, 'mid');
    assert.equal(planError(p, { ...req('auto'), excludeModels: ['big'] }).code, 'context_length_exceeded');
  });

  it('rejects an unknown model with model_not_found (404, param model)', () => {
    const err = planError(planner(['gpt-4o'], { 'gpt-4o': [channel({ name: 'oa' })] }), req('gpt-9'));
    assert.equal(err.code, 'model_not_found');
    assert.equal(err.status, 404);
    assert.equal(err.param, 'model');
    assert.match(err.message, /gpt-9/);
  });

  describe('model type per endpoint (regression: an embedding model was planned for chat and failed upstream)', () => {
    const embedding = (id: string) => ({ ...model(id), type: 'embedding' }) as ModelEntity;
    const chat = (id: string, fallbacks: string[] = []) => ({ ...model(id, null, fallbacks), type: 'chat' }) as ModelEntity;
    const setup = () =>
      planner([chat('gpt-4o', ['text-embedding-3-small', 'deepseek-v3']), chat('deepseek-v3'), embedding('text-embedding-3-small'), embedding('text-embedding-3-large')], {
        'gpt-4o': [channel({ name: 'oa', models: ['gpt-4o'] })],
        'deepseek-v3': [channel({ name: 'ds', models: ['deepseek-v3'] })],
        'text-embedding-3-small': [channel({ name: 'emb', models: ['text-embedding-3-small'] })],
        'text-embedding-3-large': [channel({ name: 'emb-l', models: ['text-embedding-3-large'] })],
      });

    it('refuses chat, responses and completions on an embedding model with a 400 naming it, before any attempt', () => {
      const p = setup();
      for (const endpoint of ['chat', 'completions'] as const) {
        const err = planError(p, { ...req('text-embedding-3-small'), endpoint });
        assert.deepEqual([err.code, err.status, err.type, err.param], ['model_not_supported', 400, 'invalid_request_error', 'model'], endpoint);
        assert.match(err.message, /The model 'text-embedding-3-small' is an embedding model and does not support (chat completions|completions)/);
      }
    });

    it('refuses embeddings on a chat model, and on auto', () => {
      const p = setup();
      const err = planError(p, { ...req('gpt-4o'), endpoint: 'embeddings' });
      assert.deepEqual([err.code, err.status, err.param], ['model_not_supported', 400, 'model']);
      assert.equal(err.message, "The model 'gpt-4o' is a chat model and does not support embeddings.");
      assert.match(planError(p, { ...req('auto'), endpoint: 'embeddings' }).message, /'auto' .*does not support embeddings/);
    });

    it('plans each model for its own endpoint, and leaves wrong-type models out of the fallback chain', () => {
      const p = setup();
      const asChat = p.plan({ ...req('gpt-4o'), endpoint: 'chat' });
      assert.deepEqual([asChat.model, asChat.fallbacks], ['gpt-4o', ['deepseek-v3']]);
      const own = p.plan({ ...req('gpt-4o'), endpoint: 'completions', fallbacks: ['text-embedding-3-large', 'deepseek-v3'] });
      assert.deepEqual(own.fallbacks, ['deepseek-v3'], "the request's own chain is filtered too");
      const emb = p.plan({ ...req('text-embedding-3-small'), endpoint: 'embeddings', fallbacks: ['gpt-4o', 'text-embedding-3-large'] });
      assert.deepEqual([emb.model, emb.fallbacks], ['text-embedding-3-small', ['text-embedding-3-large']]);
    });

    it('does not check without an endpoint (an older ingress), nor a model only channels know', () => {
      const p = setup();
      assert.equal(p.plan(req('text-embedding-3-small')).model, 'text-embedding-3-small');
      const unknown = planner(['gpt-4o'], { 'custom-embed': [channel({ name: 'c', models: ['custom-embed'] })] });
      assert.equal(unknown.plan({ ...req('custom-embed'), endpoint: 'embeddings' }).model, 'custom-embed');
    });
  });

  it('rejects a catalog model with no enabled channel with no_available_channel (503)', () => {
    const err = planError(planner(['qwen-max'], {}), req('qwen-max'));
    assert.equal(err.code, 'no_available_channel');
    assert.equal(err.status, 503);
    assert.match(err.message, /qwen-max/);
  });

  it('treats an empty channel list like no channel', () => {
    const err = planError(planner(['qwen-max'], { 'qwen-max': [] }), req('qwen-max'));
    assert.equal(err.code, 'no_available_channel');
  });

  it('serves a model that has channels even if it is missing from the catalog', () => {
    const ch = channel({ name: 'x' });
    assert.equal(planner([], { 'custom-model': [ch] }).plan(req('custom-model')).attempts[0].channelId, ch.id);
  });

  it('rejects a model outside the key allow-list with model_not_allowed (403, param model)', () => {
    const p = planner(['gpt-4o', 'deepseek-v3'], { 'gpt-4o': [channel({ name: 'oa' })], 'deepseek-v3': [channel({ name: 'ds' })] });
    const err = planError(p, req('gpt-4o', ['deepseek-v3']));
    assert.equal(err.code, 'model_not_allowed');
    assert.equal(err.status, 403);
    assert.equal(err.param, 'model');
    assert.doesNotThrow(() => p.plan(req('deepseek-v3', ['deepseek-v3'])));
    assert.doesNotThrow(() => p.plan(req('gpt-4o', null)));
  });

  it('applies the allow-list to what auto resolves to', () => {
    const p = planner(['deepseek-v3'], { 'deepseek-v3': [channel({ name: 'ds' })] });
    assert.equal(planError(p, req('auto', ['gpt-4o'])).code, 'model_not_allowed');
    assert.equal(p.plan(req('auto', ['deepseek-v3'])).model, 'deepseek-v3');
  });

  it("maps the model to the channel's upstream name: model_mapping, else the provider's alias, else unchanged", () => {
    const mapped = channel({ name: 'mapped', priority: 2, modelMapping: { 'deepseek-v3': 'deepseek-v3-0324' } });
    const aliased = channel({ name: 'aliased', priority: 1, modelMapping: { other: 'x' } });
    const plain = channel({ name: 'plain', priority: 0, provider: 'openai-compatible', modelMapping: { other: 'x' } });
    const reply = planner(['deepseek-v3'], { 'deepseek-v3': [plain, aliased, mapped] }).plan(req('deepseek-v3'));
    assert.deepEqual(
      reply.attempts.map((a) => [a.channelName, a.upstreamModel]),
      [
        ['mapped', 'deepseek-v3-0324'],
        ['aliased', 'deepseek-chat'],
        ['plain', 'deepseek-v3'],
      ],
    );
    assert.equal(reply.model, 'deepseek-v3');
  });

  it("spreads a channel's load evenly over its upstream keys", () => {
    const three = channel({ name: 'three', apiKeys: ['k1', 'k2', 'k3'] });
    const p = planner(['m'], { m: [three] });
    const firsts = new Map<string, number>();
    for (let i = 0; i < 3_000; i++) {
      const ref = p.plan(req('m')).attempts[0].keyRef;
      firsts.set(ref, (firsts.get(ref) ?? 0) + 1);
    }
    assert.equal(firsts.size, 3);
    for (const n of firsts.values()) assert.ok(n > 850 && n < 1150, `a key led ${n} of 3000 plans`);
  });

  it('sends less to a key with attempts in flight', () => {
    const book = new HealthBook(breakerConfig());
    const ch = channel({ name: 'busy', apiKeys: ['k1', 'k2'] });
    const p = planner(['m'], { m: [ch] }, 'm', book);
    book.fold(report([{ channelId: ch.id, keyRef: upstreamKeyFingerprint('k1'), inFlight: 9 }]));
    let idleFirst = 0;
    for (let i = 0; i < 2_000; i++) if (p.plan(req('m')).attempts[0].keyRef === upstreamKeyFingerprint('k2')) idleFirst++;
    // Weights 1 and 1/10: the idle key leads about 10 of 11 plans.
    assert.ok(idleFirst / 2_000 > 0.85, `idle key first in ${idleFirst / 2_000}`);
  });

  it('tries the next key of the channel before the next channel, each key once, up to PLAN_KEYS_PER_CHANNEL', () => {
    const pool = channel({ name: 'pool', priority: 1, apiKeys: ['k1', 'k2', 'k3', 'k4', 'k5'] });
    const other = channel({ name: 'other', priority: 0, apiKeys: ['j1'] });
    const book = new HealthBook(breakerConfig());
    const p = planner(['m'], { m: [pool, other] }, 'm', book);
    const f = upstreamKeyFingerprint;
    const plan = () => p.plan(req('m')).attempts.map((a) => [a.channelName, a.keyRef]);
    for (let i = 0; i < 20; i++) {
      const attempts = plan();
      assert.deepEqual(attempts.map(([name]) => name), ['pool', 'pool', 'pool', 'other']);
      assert.equal(new Set(attempts.map(([, ref]) => ref)).size, 4, 'no key twice in one plan');
    }
    // A key the upstream refused leaves the pool.
    keyFailed(book, pool.id, 'k3', 'auth');
    for (let i = 0; i < 50; i++) assert.ok(!plan().some(([, ref]) => ref === f('k3')));
  });

  it("falls back along the catalog's chain, the key's allow-list binding, and says which models are left", () => {
    const book = new HealthBook(breakerConfig());
    const ds = channel({ name: 'ds' });
    const qw = channel({ name: 'qw' });
    const glm = channel({ name: 'glm' });
    const catalog = [model('deepseek-v3', null, ['qwen-max', 'glm-4-plus', 'auto', 'deepseek-v3', 'ghost']), model('qwen-max'), model('glm-4-plus')];
    const p = planner(catalog, { 'deepseek-v3': [ds], 'qwen-max': [qw], 'glm-4-plus': [glm] }, 'deepseek-v3', book);
    const direct = p.plan(req('deepseek-v3'));
    assert.deepEqual([direct.model, direct.route, direct.fallbacks], ['deepseek-v3', 'direct', ['qwen-max', 'glm-4-plus']]);
    assert.deepEqual(p.plan(req('deepseek-v3', ['deepseek-v3', 'glm-4-plus'])).fallbacks, ['glm-4-plus']);
    // The request's (or key's) chain replaces the catalog's; [] means none.
    assert.deepEqual(p.plan({ ...req('deepseek-v3'), fallbacks: ['glm-4-plus'] }).fallbacks, ['glm-4-plus']);
    assert.deepEqual(p.plan({ ...req('deepseek-v3'), fallbacks: [] }).fallbacks, []);
    assert.deepEqual(p.plan(req('auto')).fallbacks, ['qwen-max', 'glm-4-plus']);
    // The whole provider is out: the plan starts on the chain's next model that can serve.
    for (const ev of book.fold(report([{ channelId: ds.id, model: 'deepseek-v3', failed: 10 }]))) book.apply(ev);
    const fell = p.plan(req('deepseek-v3'));
    assert.deepEqual([fell.model, fell.route, fell.fallbacks], ['qwen-max', 'fallback', ['glm-4-plus']]);
    assert.match(fell.reason, /deepseek-v3 has no available channel -> qwen-max/);
    assert.equal(fell.attempts[0].channelName, 'qw');
    // Nothing left anywhere: 503 at once, naming the chain.
    for (const [id, m] of [[qw.id, 'qwen-max'], [glm.id, 'glm-4-plus']]) for (const ev of book.fold(report([{ channelId: id, model: m, failed: 10 }]))) book.apply(ev);
    const err = planError(p, req('deepseek-v3'));
    assert.equal(err.code, 'no_available_channel');
    assert.match(err.message, /deepseek-v3.*qwen-max, glm-4-plus/);
  });

  it('lists every channel exactly once, higher priority first', () => {
    const chans = [
      channel({ name: 'p0a', priority: 0 }),
      channel({ name: 'p5', priority: 5 }),
      channel({ name: 'p0b', priority: 0, weight: 10 }),
      channel({ name: 'p2', priority: 2 }),
    ];
    const p = planner(['m'], { m: chans });
    for (let i = 0; i < 50; i++) {
      const attempts = p.plan(req('m')).attempts;
      assert.equal(attempts.length, 4);
      assert.deepEqual(new Set(attempts.map((a) => a.channelId)), new Set(chans.map((c) => c.id)));
      assert.deepEqual(
        attempts.slice(0, 2).map((a) => a.channelName),
        ['p5', 'p2'],
      );
    }
  });

  describe('auto with the classifier signal', () => {
    const tiers: Record<string, ModelEntity['tier']> = { cheap: 'economy', mid: 'standard', strong: 'premium' };
    const prices: Record<string, { inputNano: number; outputNano: number }> = { cheap: { inputNano: 100, outputNano: 200 }, mid: { inputNano: 300, outputNano: 900 }, strong: { inputNano: 2500, outputNano: 10000 } };
    const catalog = Object.keys(tiers).map((id) => ({ ...model(id), tier: tiers[id], strengths: {}, outputFactor: 1 }) as ModelEntity);
    const signal = (gain: number): PlanRequest['auto'] => ({ category: 'math', gain, classifier: 't', threshold: 0.1, promptTokens: 20, maxTokens: null, prefs: {} });
    function autoPlanner(book = new HealthBook(breakerConfig()), observed: (model: string, category: string) => number | null = () => null) {
      const chans = { cheap: [channel({ name: 'c' }), channel({ name: 'c2' })], mid: [channel({ name: 'm' })], strong: [channel({ name: 's' })] };
      const table = { current: { ...snapshotOf(catalog, chans), priors: new Map([['math', { category: 'math', gain: 0.1, classifierWeight: 1, outputTokens: 300 }]]) } } as unknown as RoutingTable;
      const config = { AUTO_DEFAULT_MODEL: 'cheap', PLAN_KEYS_PER_CHANNEL: 3, AUTO_ECONOMY_OFFSET: 0.1, AUTO_QUALITY_OFFSET: 0.1 } as RouterConfig;
      return { p: new PlannerService(table, config, book, { get: (m: string) => prices[m] ?? null }, { expected: observed }), book, chans };
    }
    /** Recent first-token times of one channel serving one model, as adapters report them. */
    function timed(book: HealthBook, channelId: string, m: string, ttftMs: number[]): void {
      book.fold(report([{ channelId, model: m, ok: ttftMs.length, ttftMs }]));
    }
    const withTarget = (gain: number, latencyTargetMs: number): PlanRequest['auto'] => ({ ...signal(gain)!, prefs: { latencyTargetMs } });

    it('plans the decided model, explains it, and ranks the rest as fallbacks', () => {
      const { p } = autoPlanner();
      const easy = p.plan({ ...req('auto'), auto: signal(-0.2) });
      assert.deepEqual([easy.model, easy.route, easy.fallbacks], ['cheap', 'auto', ['mid', 'strong']]);
      assert.match(easy.explain!, /^cat=math;gain=-0\.2;mode=balanced;est_usd=[^;]+;reason=[^;]+;fallback=mid,strong$/);
      const hard = p.plan({ ...req('auto'), auto: signal(0.5) });
      assert.deepEqual([hard.model, hard.fallbacks[0]], ['strong', 'mid']);
    });

    it('never gives a key allowed only cheap models a premium one', () => {
      const { p } = autoPlanner();
      const r = p.plan({ ...req('auto', ['cheap', 'mid']), auto: signal(0.9) });
      assert.equal(r.model, 'mid');
      assert.ok(![r.model, ...r.fallbacks].includes('strong'));
    });

    it('still answers when the first choice has no healthy channel', () => {
      const { p, book, chans } = autoPlanner();
      for (const ev of book.fold(report([{ channelId: chans.strong[0].id, model: 'strong', failed: 10 }]))) book.apply(ev);
      const r = p.plan({ ...req('auto'), auto: signal(0.9) });
      assert.equal(r.model, 'mid');
      assert.ok(!r.fallbacks.includes('strong'));
    });

    it("plans only a model's channels whose p95 TTFT meets the latency target (or is not measured yet)", () => {
      const { p, book, chans } = autoPlanner();
      timed(book, chans.cheap[0].id, 'cheap', [900, 950, 1000]);
      timed(book, chans.cheap[1].id, 'cheap', [100, 120, 150]);
      for (let i = 0; i < 10; i++) {
        const r = p.plan({ ...req('auto'), auto: withTarget(-0.2, 500) });
        assert.equal(r.model, 'cheap');
        assert.deepEqual(r.attempts.map((a) => a.channelName), ['c2'], 'the slow channel is left out');
      }
      // Without a target both channels serve.
      assert.deepEqual(new Set(p.plan({ ...req('auto'), auto: signal(-0.2) }).attempts.map((a) => a.channelName)), new Set(['c', 'c2']));
    });

    it('applies the latency target to a named model too (a later round of auto, or a client that names one)', () => {
      const { p, book, chans } = autoPlanner();
      timed(book, chans.cheap[0].id, 'cheap', [900, 950, 1000]);
      timed(book, chans.cheap[1].id, 'cheap', [100, 120, 150]);
      for (let i = 0; i < 10; i++) assert.deepEqual(p.plan({ ...req('cheap'), latencyTargetMs: 500 }).attempts.map((a) => a.channelName), ['c2']);
      // None meets it: every channel stays, the target is a preference, not a refusal.
      assert.equal(p.plan({ ...req('cheap'), latencyTargetMs: 50 }).attempts.length, 2);
    });

    it('drops a model none of whose channels meets the target, unless no model does', () => {
      const { p, book, chans } = autoPlanner();
      for (const ch of chans.cheap) timed(book, ch.id, 'cheap', [800, 900]);
      timed(book, chans.mid[0].id, 'mid', [200]);
      timed(book, chans.strong[0].id, 'strong', [300]);
      const r = p.plan({ ...req('auto'), auto: withTarget(-0.2, 500) });
      assert.equal(r.model, 'mid');
      assert.ok(!r.fallbacks.includes('cheap'));
      // Nobody meets 50 ms: cheapest again, every one of its channels planned.
      const none = p.plan({ ...req('auto'), auto: withTarget(-0.2, 50) });
      assert.equal(none.model, 'cheap');
      assert.equal(none.attempts.length, 2);
      assert.match(none.explain!, /no model meets 50 ms/);
    });

    it("expects each model's answer length as the ledger saw it in the request's category", () => {
      // 'cheap' writes 20,000 tokens per math answer: 20 + 20000 × 200 nano against mid's 20 × 300 + 300 × 900.
      const asked: string[] = [];
      const { p } = autoPlanner(undefined, (m, c) => (asked.push(`${m}/${c}`), m === 'cheap' ? 20_000 : null));
      const r = p.plan({ ...req('auto'), auto: signal(-0.2) });
      assert.equal(r.model, 'mid');
      assert.match(r.explain!, /~300 output tokens \(prior\)/);
      assert.deepEqual(asked.sort(), ['cheap/math', 'mid/math', 'strong/math']);
    });

    it('falls back to AUTO_DEFAULT_MODEL when nothing is priced', () => {
      const { p } = autoPlanner();
      const unpriced = new PlannerService(p['table'], p['config'] as RouterConfig, new HealthBook(breakerConfig()), { get: () => null });
      assert.deepEqual([unpriced.plan({ ...req('auto'), auto: signal(0.9) }).model, unpriced.plan({ ...req('auto'), auto: signal(0.9) }).route], ['cheap', 'auto-default']);
    });
  });
});
