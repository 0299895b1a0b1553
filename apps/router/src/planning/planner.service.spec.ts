import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError, type PlanRequest, upstreamKeyFingerprint } from '@tokenflow/contracts';
import type { RouterConfig } from '../config';
import type { ChannelEntity, ModelEntity } from '../db/entities';
import { KeyHealth } from './key-health';
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

function model(id: string, contextWindow: number | null = null): ModelEntity {
  return { id, ownedBy: 'test', contextWindow, maxOutputTokens: null } as ModelEntity;
}

/** A RoutingTable stand-in: the planner only reads `current`. */
function planner(models: string[], byModel: Record<string, ChannelEntity[]>, autoDefault = 'deepseek-v3', keys = new KeyHealth({ KEY_BENCH_MS: 60_000 })): PlannerService {
  const snapshot: RoutingSnapshot = {
    catalog: new Map(models.map((m) => [m, model(m)])),
    byModel: new Map(Object.entries(byModel)),
    keys: new Map(Object.values(byModel).flat().map((ch) => [ch.id, channelKeys(ch)])),
  };
  const table = { current: snapshot } as unknown as RoutingTable;
  return new PlannerService(table, { AUTO_DEFAULT_MODEL: autoDefault, PLAN_KEYS_PER_CHANNEL: 3 } as RouterConfig, keys);
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
    assert.match(reply.reason, /priority-weighted/);
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
    const refs = Array.from({ length: 4 }, () => p.plan(req('m')).attempts[0].upstreamLimits!);
    assert.deepEqual(refs.map((l) => [l.rpm, l.tpm]), [[60, null], [60, null], [60, null], [60, null]]);
    assert.equal(new Set(refs.map((l) => l.ref)).size, 2, 'one reference per upstream key');
    assert.equal(refs[0].ref, refs[2].ref, 'the same key, the same reference');
    for (const l of refs) assert.ok(/^[0-9a-f]{24}$/.test(l.ref) && !l.ref.includes('secret'));
    // The provider's quota belongs to the key: another channel with the same key and host shares the count.
    const twin = channel({ name: 'quota', apiKeys: ['sk-secret-2'], keyLimits: { rpm: 60, tpm: null } });
    assert.notEqual(twin.id, ch.id);
    assert.equal(planner(['m'], { m: [twin] }).plan(req('m')).attempts[0].upstreamLimits!.ref, refs[1].ref);
    const elsewhere = channel({ name: 'other-host', apiKeys: ['sk-secret-2'], keyLimits: { rpm: 60, tpm: null } });
    assert.notEqual(planner(['m'], { m: [elsewhere] }).plan(req('m')).attempts[0].upstreamLimits!.ref, refs[1].ref);
    assert.equal(planner(['m'], { m: [channel({ name: 'free' })] }).plan(req('m')).attempts[0].upstreamLimits, undefined);
  });

  it('skips a channel key the upstream refused, and puts a channel with only refused keys last', () => {
    const keys = new KeyHealth({ KEY_BENCH_MS: 60_000 });
    const multi = channel({ name: 'multi', apiKeys: ['sk-a', 'sk-b'], priority: 10 });
    const single = channel({ name: 'single', apiKeys: ['sk-c'], priority: 10 });
    const spare = channel({ name: 'spare', apiKeys: ['sk-d'], priority: 0 });
    const p = planner(['m'], { m: [multi, single, spare] }, 'm', keys);
    keys.bench({ channelId: multi.id, keyFingerprint: upstreamKeyFingerprint('sk-a'), reason: 'auth' });
    keys.bench({ channelId: single.id, keyFingerprint: upstreamKeyFingerprint('sk-c'), reason: 'quota' });
    for (let i = 0; i < 4; i++) {
      const attempts = p.plan(req('m')).attempts;
      assert.deepEqual(
        attempts.map((a) => [a.channelName, a.keyRef]),
        [
          ['multi', upstreamKeyFingerprint('sk-b')],
          ['spare', upstreamKeyFingerprint('sk-d')],
          ['single', upstreamKeyFingerprint('sk-c')],
        ],
      );
    }
    // The operator edits the channel: its verdicts are forgotten.
    keys.forgetChannel(single.id);
    assert.equal(p.plan(req('m')).attempts[2].channelName, 'spare');
  });

  it('falls back from an auto model whose context was too small to the next larger one that has channels', () => {
    const catalog = [model('small', 32_000), model('mid', 128_000), model('orphan', 200_000), model('big', 1_000_000)];
    const table = { current: { catalog: new Map(catalog.map((m) => [m.id, m])), byModel: new Map([['small', [channel({ name: 's' })]], ['mid', [channel({ name: 'm' })]], ['big', [channel({ name: 'b' })]]]), keys: new Map() } } as unknown as RoutingTable;
    const p = new PlannerService(table, { AUTO_DEFAULT_MODEL: 'small' } as RouterConfig, new KeyHealth({ KEY_BENCH_MS: 1 }));
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

  it('rotates a channel upstream keys round-robin across plans, per channel', () => {
    const three = channel({ name: 'three', priority: 1, apiKeys: ['k1', 'k2', 'k3'] });
    const two = channel({ name: 'two', priority: 0, apiKeys: ['j1', 'j2'] });
    const p = planner(['m'], { m: [three, two] });
    const firstOf = (name: string) => Array.from({ length: 7 }, () => p.plan(req('m')).attempts.find((a) => a.channelName === name)!.keyRef);
    const f = upstreamKeyFingerprint;
    assert.deepEqual(firstOf('three'), ['k1', 'k2', 'k3', 'k1', 'k2', 'k3', 'k1'].map(f));
    assert.deepEqual(firstOf('two'), ['j2', 'j1', 'j2', 'j1', 'j2', 'j1', 'j2'].map(f));
  });

  it('tries the next key of the channel before the next channel, each key once, up to PLAN_KEYS_PER_CHANNEL', () => {
    const pool = channel({ name: 'pool', priority: 1, apiKeys: ['k1', 'k2', 'k3', 'k4', 'k5'] });
    const other = channel({ name: 'other', priority: 0, apiKeys: ['j1'] });
    const keys = new KeyHealth({ KEY_BENCH_MS: 60_000 });
    const p = planner(['m'], { m: [pool, other] }, 'm', keys);
    const f = upstreamKeyFingerprint;
    const plan = () => p.plan(req('m')).attempts.map((a) => [a.channelName, a.keyRef]);
    assert.deepEqual(plan(), [['pool', f('k1')], ['pool', f('k2')], ['pool', f('k3')], ['other', f('j1')]]);
    // A key the upstream refused leaves the pool; the pool fills from the keys after it.
    keys.bench({ channelId: pool.id, keyFingerprint: f('k3'), reason: 'auth' });
    assert.deepEqual(plan(), [['pool', f('k2')], ['pool', f('k4')], ['pool', f('k5')], ['other', f('j1')]]);
    const refs = plan().map(([, ref]) => ref);
    assert.equal(new Set(refs).size, refs.length, 'no key twice in one plan');
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
});
