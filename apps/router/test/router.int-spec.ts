import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { INestApplicationContext } from '@nestjs/common';
import { ensureDatabase } from '@tokenflow/config';
import { type ChannelInput, Subjects, TfError, upstreamKeyFingerprint } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { testNamespace, testUrls, waitFor } from '@tokenflow/testing';
import { DataSource } from 'typeorm';
import { routerEnvSchema } from '../src/config';
import { runRoutingMigrations } from '../src/db/data-source';
import { RoutingTable } from '../src/planning/routing-table';
import { createRouterApp } from '../src/router.app';

describe('router service (real NATS + Postgres), two replicas', () => {
  const ns = testNamespace('router');
  let a: INestApplicationContext;
  let b: INestApplicationContext;
  let bus: NatsBus;

  const channel = (over: Partial<ChannelInput>): ChannelInput => ({
    name: `ch-${Math.random().toString(36).slice(2)}`,
    provider: 'openai-compatible',
    base_url: 'http://127.0.0.1:9/v1/',
    api_keys: ['sk-1', 'sk-2'],
    models: ['gpt-4o'],
    ...over,
  });

  before(async () => {
    await ensureDatabase(testUrls.database);
    await runRoutingMigrations(testUrls.database);
    const config = routerEnvSchema.parse({ NATS_URL: testUrls.nats, DATABASE_URL: testUrls.database, TF_NAMESPACE: ns, DB_POOL_SIZE: '2' });
    a = await createRouterApp(config);
    await a.get(DataSource).query('TRUNCATE routing.channels');
    b = await createRouterApp(config);
    bus = await NatsBus.connect({ url: testUrls.nats, name: 'router-test', namespace: ns });
    await Promise.all([a.get(RoutingTable).reload(), b.get(RoutingTable).reload()]);
  });
  after(async () => {
    await bus.close();
    await Promise.all([a.close(), b.close()]);
  });

  it('creates channels without echoing keys, and every replica routes to them at once', async () => {
    const created = await bus.request(Subjects.routerChannelCreate, channel({ name: 'primary', priority: 5, model_mapping: { 'gpt-4o': 'gpt-4o-2024-08-06' } }));
    assert.equal(created.api_key_count, 2);
    assert.equal(created.base_url, 'http://127.0.0.1:9/v1', 'trailing slash trimmed');
    assert.equal(created.first_byte_timeout_ms, 60_000);
    assert.ok(!JSON.stringify(created).includes('sk-1'));
    await bus.request(Subjects.routerChannelCreate, channel({ name: 'backup', priority: 0 }));
    // Both replicas must agree, whichever one answers.
    for (const app of [a, b]) {
      await waitFor(() => (app.get(RoutingTable).current.byModel.get('gpt-4o')?.length ?? 0) === 2, 2_000, 'replica reload');
    }
    const plan = await bus.request(Subjects.routerPlan, { requestId: 'r1', model: 'gpt-4o', allowedModels: null });
    assert.equal(plan.model, 'gpt-4o');
    // The primary's two keys (its key pool), then the backup's.
    assert.deepEqual(plan.attempts.map((x) => x.channelName), ['primary', 'primary', 'backup', 'backup']);
    assert.notEqual(plan.attempts[0].keyRef, plan.attempts[1].keyRef);
    assert.equal(plan.attempts[0].upstreamModel, 'gpt-4o-2024-08-06');
    assert.equal(plan.attempts[2].upstreamModel, 'gpt-4o');
    // The plan goes to ingress, the public edge: keys by reference only.
    const json = JSON.stringify(plan);
    assert.ok(!json.includes('sk-1') && !json.includes('sk-2') && !json.includes('apiKey'), json);
    assert.ok(plan.attempts.every((x) => /^[0-9a-f]{16}$/.test(x.keyRef)));
  });

  it('resolves a plan\'s key references for the adapter on every replica, following key edits', async () => {
    const plan = await bus.request(Subjects.routerPlan, { requestId: 'r2', model: 'gpt-4o', allowedModels: null });
    const primary = plan.attempts.find((x) => x.channelName === 'primary')!;
    const { keys } = await bus.request(Subjects.routerChannelKeys, { channelId: primary.channelId });
    assert.deepEqual(keys.map((k) => k.apiKey), ['sk-1', 'sk-2']);
    assert.ok(keys.some((k) => k.ref === primary.keyRef), 'the planned reference resolves');
    assert.deepEqual(keys.map((k) => k.ref), ['sk-1', 'sk-2'].map(upstreamKeyFingerprint));
    await bus.request(Subjects.routerChannelUpdate, { id: primary.channelId, patch: { api_keys: ['sk-3', 'sk-1'] } });
    for (const app of [a, b]) {
      await waitFor(() => app.get(RoutingTable).keysOf(primary.channelId)[0]?.apiKey === 'sk-3', 2_000, 'replica reload');
    }
    const after = await bus.request(Subjects.routerChannelKeys, { channelId: primary.channelId });
    assert.deepEqual(after.keys.map((k) => k.apiKey), ['sk-3', 'sk-1']);
    assert.equal(after.keys[1].ref, keys[0].ref, 'a kept key keeps its reference');
    assert.deepEqual(await bus.request(Subjects.routerChannelKeys, { channelId: '00000000-0000-4000-8000-000000000000' }), { keys: [] });
  });

  it('applies updates and deletes live, and reports 503 when no channel is enabled', async () => {
    const list = await bus.request(Subjects.routerChannelList, {});
    const primary = list.data.find((c) => c.name === 'primary')!;
    const backup = list.data.find((c) => c.name === 'backup')!;
    await bus.request(Subjects.routerChannelUpdate, { id: primary.id, patch: { enabled: false } });
    await bus.request(Subjects.routerChannelDelete, { id: backup.id });
    for (const app of [a, b]) await waitFor(() => !app.get(RoutingTable).current.byModel.has('gpt-4o'), 2_000, 'replica reload');
    for (let i = 0; i < 4; i++) {
      await assert.rejects(bus.request(Subjects.routerPlan, { requestId: 'r', model: 'gpt-4o', allowedModels: null }), (e: unknown) => {
        return e instanceof TfError && e.code === 'no_available_channel' && e.status === 503;
      });
    }
    await assert.rejects(bus.request(Subjects.routerChannelGet, { id: backup.id }), (e: unknown) => e instanceof TfError && e.status === 404);
    await bus.request(Subjects.routerChannelUpdate, { id: primary.id, patch: { enabled: true } });
  });

  it('lists only models with an enabled channel plus auto, filtered by the key allow-list', async () => {
    await bus.request(Subjects.routerChannelCreate, channel({ name: 'ds', models: ['deepseek-v3', 'custom-model'] }));
    // The replica that wrote reloads before answering; the other one follows the broadcast within milliseconds.
    for (const app of [a, b]) await waitFor(() => app.get(RoutingTable).current.byModel.has('custom-model'), 2_000, 'reload');
    const all = await bus.request(Subjects.routerModelsList, { allowedModels: null });
    assert.deepEqual(all.data.map((m) => m.id), ['custom-model', 'deepseek-v3', 'gpt-4o', 'auto']);
    assert.equal(all.data.find((m) => m.id === 'deepseek-v3')!.owned_by, 'deepseek');
    const limited = await bus.request(Subjects.routerModelsList, { allowedModels: ['gpt-4o'] });
    assert.deepEqual(limited.data.map((m) => m.id), ['gpt-4o', 'auto']);
    await assert.rejects(bus.request(Subjects.routerModelGet, { id: 'claude-sonnet', allowedModels: null }), (e: unknown) => e instanceof TfError && e.code === 'model_not_found');
  });

  it('resolves auto to AUTO_DEFAULT_MODEL inside the allow-list', async () => {
    const plan = await bus.request(Subjects.routerPlan, { requestId: 'r', model: 'auto', allowedModels: null });
    assert.equal(plan.model, 'deepseek-v3');
    assert.equal(plan.route, 'auto-default');
    await assert.rejects(bus.request(Subjects.routerPlan, { requestId: 'r', model: 'auto', allowedModels: ['gpt-4o'] }), (e: unknown) => e instanceof TfError && e.code === 'model_not_allowed');
  });

  it('rejects a duplicate channel name', async () => {
    await assert.rejects(bus.request(Subjects.routerChannelCreate, channel({ name: 'ds' })), (e: unknown) => e instanceof TfError && e.param === 'name');
  });

  it('answers creates racing for one name with one channel and 400s (the unique index decides), not 500s', async () => {
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => bus.request(Subjects.routerChannelCreate, channel({ name: 'racy' }))));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) {
      if (r.status === 'rejected') assert.ok(r.reason instanceof TfError && r.reason.code === 'invalid_request' && r.reason.param === 'name', String(r.reason));
    }
  });

  it('answers a row the database refuses with a generic internal_error that carries no key', async () => {
    const secret = 'sk-router-db-refused-0123456789';
    await assert.rejects(bus.request(Subjects.routerChannelCreate, channel({ name: 'nul', api_keys: [secret], model_mapping: { 'gpt-4o': 'a\u0000b' } })), (e: unknown) => {
      return e instanceof TfError && e.code === 'internal_error' && !JSON.stringify(e.toWire()).includes(secret);
    });
  });
});
