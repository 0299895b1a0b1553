import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { NatsBus } from '@tokenflow/messaging';
import { Subjects, type UsageRecordedEvent } from '@tokenflow/contracts';
import { testUrls, waitFor } from '@tokenflow/testing';
import OpenAI from 'openai';
import { balanceNano, escrowState, usageRows } from './support/ledger';
import { adminApi, type Platform, startPlatform } from './support/platform';

/** Seed prices in nano-USD per token (input, output). */
const PRICES: Record<string, [bigint, bigint]> = { 'deepseek-v3': [140n, 280n], 'gpt-4o': [2500n, 10000n] };

describe('usage reaches the ledger exactly once', () => {
  let p: Platform;

  before(async () => {
    p = await startPlatform('billing');
  });
  after(async () => p?.stop());

  async function freshClient(credit = '10.00') {
    const admin = adminApi(p);
    const acct = await admin<{ id: string }>('POST', '/admin/v1/accounts', { name: 'bill-test', credit_usd: credit });
    const key = await admin<{ key: string }>('POST', '/admin/v1/keys', { account_id: acct.body.id, rpm_limit: 1_000_000 });
    return { accountId: acct.body.id, client: new OpenAI({ apiKey: key.body.key, baseURL: `${p.baseUrl}/v1`, maxRetries: 0 }) };
  }

  it('debits each request at the seed price, exactly, for both modes', async () => {
    const { accountId, client } = await freshClient('10.00');
    let expected = 0n;
    for (const model of ['deepseek-v3', 'gpt-4o']) {
      const r = await client.chat.completions.create({ model, messages: [{ role: 'user', content: `bill me ${model}` }] });
      expected += BigInt(r.usage!.prompt_tokens) * PRICES[model][0] + BigInt(r.usage!.completion_tokens) * PRICES[model][1];
      const s = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: `stream ${model}` }],
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const c of s) {
        if (c.usage) expected += BigInt(c.usage.prompt_tokens) * PRICES[model][0] + BigInt(c.usage.completion_tokens) * PRICES[model][1];
      }
    }
    const rows = await waitFor(async () => {
      const r = await usageRows(p.databaseUrl, accountId);
      return r.length === 4 ? r : null;
    }, 10_000, 'four ledger entries');
    const charged = rows.reduce((sum, r) => sum - BigInt(r.amount_nano), 0n);
    assert.equal(charged, expected);
    assert.equal(await balanceNano(p.databaseUrl, accountId), 10_000_000_000n - expected);
  });

  it('loses nothing and double-counts nothing when billing is killed and restarted under traffic', async () => {
    const { accountId, client } = await freshClient('50.00');
    const completed = new Set<string>();
    let stop = false;
    let refused = 0;
    const worker = async () => {
      while (!stop) {
        try {
          const { data, response } = await client.chat.completions
            .create({ model: 'deepseek-v3', messages: [{ role: 'user', content: 'traffic' }] })
            .withResponse();
          if (data.choices.length) completed.add(response.headers.get('x-request-id')!);
        } catch (err) {
          // While billing is down new requests are refused (503): never served unaccounted, never billed.
          assert.equal((err as { status?: number }).status, 503);
          refused++;
        }
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    await waitFor(() => completed.size >= 20, 15_000, 'traffic flowing before the kill');
    await p.group.stop('billing', 'SIGKILL');
    // Requests admitted before the kill finish upstream while billing is down; their usage waits in JetStream.
    // Refusals show the traffic has met the dead billing (the workers' in-flight requests have ended).
    await waitFor(() => refused >= 4, 15_000, 'requests refused while billing is down');
    await p.group.startAndWait('billing');
    const beforeRestart = completed.size;
    await waitFor(() => completed.size >= beforeRestart + 5, 15_000, 'traffic served again after the restart');
    stop = true;
    await Promise.all(workers);
    assert.ok(completed.size > 20, `enough traffic (${completed.size} completed, ${refused} refused)`);
    const rows = await waitFor(async () => {
      const r = await usageRows(p.databaseUrl, accountId);
      return r.length >= completed.size ? r : null;
    }, 30_000, 'every completed request in the ledger').catch(async (err: Error) => {
      const r = await usageRows(p.databaseUrl, accountId);
      const missing = [...completed].filter((id) => !r.some((row) => row.request_id === id));
      const billingLogs = p.logs.filter((l) => l.startsWith('[billing]') || l.includes('usage')).slice(-15);
      throw new Error(`${err.message}: ${r.length}/${completed.size} billed; missing ${missing.slice(0, 3).join(', ')}\n${billingLogs.join('\n')}`);
    });
    const ids = rows.map((r) => r.request_id);
    assert.equal(new Set(ids).size, ids.length, 'no request billed twice');
    assert.deepEqual(new Set(ids), completed, 'every completed request billed');
    const charged = rows.reduce((sum, r) => sum - BigInt(r.amount_nano), 0n);
    assert.equal(await balanceNano(p.databaseUrl, accountId), 50_000_000_000n - charged);
    // Every hold of the run ended in the ledger too, including those billing died while placing: each hold entry
    // has its release and the escrow is empty again.
    const escrow = await waitFor(async () => {
      const e = await escrowState(p.databaseUrl, accountId);
      return e.open === 0 && e.holds === e.releases ? e : null;
    }, 20_000, 'every hold released in the ledger').catch(async (err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(await escrowState(p.databaseUrl, accountId))}`);
    });
    assert.ok(escrow.holds >= completed.size, `a hold entry for every completed request (${escrow.holds}/${completed.size})`);
    assert.equal(escrow.escrow_nano, '0');
  });

  it('applies a redelivered usage event once', async () => {
    const { accountId } = await freshClient('1.00');
    const bus = await NatsBus.connect({ url: testUrls.nats, name: 'e2e-dup', namespace: p.namespace });
    try {
      const event: UsageRecordedEvent = {
        eventId: 'req_dupcheck:1',
        requestId: 'req_dupcheck',
        attemptNo: 1,
        accountId,
        keyId: '00000000-0000-4000-8000-000000000001',
        model: 'deepseek-v3',
        channelId: 'test',
        provider: 'deepseek',
        upstreamModel: 'deepseek-chat',
        promptTokens: 100,
        completionTokens: 10,
        cachedTokens: 0,
        reasoningTokens: 0,
        usageSource: 'upstream',
        outcome: 'ok',
        inputNanoPerToken: '140',
        outputNanoPerToken: '280',
        ttftMs: 1,
        durationMs: 2,
        occurredAt: new Date().toISOString(),
      };
      // Different msgIds defeat JetStream's own dedupe: billing's idempotency key must catch it.
      await bus.publishDurable(Subjects.usageRecorded, event, 'dup-a');
      await bus.publishDurable(Subjects.usageRecorded, event, 'dup-b');
      // Settlement consumes the stream in order: once an event published after both copies is in the ledger, both
      // copies have been settled (no sleep-and-hope for the second one).
      const marker = { ...event, eventId: 'req_dupmarker:1', requestId: 'req_dupmarker', promptTokens: 1, completionTokens: 1 };
      await bus.publishDurable(Subjects.usageRecorded, marker, 'dup-marker');
      const rows = await waitFor(async () => {
        const r = await usageRows(p.databaseUrl, accountId);
        return r.some((row) => row.request_id === 'req_dupmarker') ? r : null;
      }, 10_000, 'the event after the duplicates settled');
      assert.deepEqual(rows.map((r) => r.request_id).sort(), ['req_dupcheck', 'req_dupmarker']);
      assert.equal(await balanceNano(p.databaseUrl, accountId), 1_000_000_000n - (100n * 140n + 10n * 280n) - (140n + 280n));
    } finally {
      await bus.close();
    }
  });

  it('bills a client that disconnects mid-stream for what was generated, and aborts the upstream', async () => {
    const { accountId } = await freshClient('1.00');
    const admin = adminApi(p);
    await admin('POST', '/admin/v1/channels', {
      name: 'slow-stream',
      provider: 'openai-compatible',
      base_url: `${p.mockUrl}/v1`,
      api_keys: ['sk-mock-slow'],
      models: ['m-slow-stream'],
      model_mapping: { 'm-slow-stream': 'gpt-4o+tokens=400+tps=40' },
    });
    await admin('PUT', '/admin/v1/models/m-slow-stream/price', { input_usd_per_mtok: '1.00', output_usd_per_mtok: '2.00' });
    const keyRes = await fetch(`${p.baseUrl}/admin/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${p.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ account_id: accountId }),
    });
    const { key } = (await keyRes.json()) as { key: string };
    const ctrl = new AbortController();
    const res = await fetch(`${p.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm-slow-stream', stream: true, messages: [{ role: 'user', content: 'long story' }] }),
      signal: ctrl.signal,
    });
    const reader = res.body!.getReader();
    let received = 0;
    assert.equal(res.status, 200);
    while (received < 5) {
      const { value, done } = await reader.read();
      assert.ok(!done, 'the stream ended before the client left');
      received += (new TextDecoder().decode(value).match(/data: /g) ?? []).length;
    }
    ctrl.abort();
    const rows = await waitFor(async () => {
      const r = await usageRows(p.databaseUrl, accountId);
      return r.length === 1 ? r : null;
    }, 10_000, 'a ledger entry for the cancelled stream');
    assert.ok(rows[0].completion_tokens > 0, 'billed for generated tokens');
    assert.ok(rows[0].completion_tokens < 200, `upstream aborted early (${rows[0].completion_tokens} tokens)`);
  });
});
