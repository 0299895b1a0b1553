import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { InvokeRequest, UsageRecordedEvent } from '@tokenflow/contracts';
import type { NatsBus } from '@tokenflow/messaging';
import { waitFor } from '@tokenflow/testing';
import { UsagePublisher, usageEvent } from './usage.publisher';

const REQUEST: InvokeRequest = {
  requestId: 'req_1',
  attemptNo: 2,
  attempt: {
    channelId: 'ch-1',
    channelName: 'ds',
    provider: 'deepseek',
    baseUrl: 'https://ds.example/v1',
    keyRef: 'ref',
    upstreamModel: 'deepseek-reasoner',
    timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1 },
  },
  body: {},
  inbox: '_INBOX.x',
  accountId: 'a1',
  keyId: 'k1',
  model: 'deepseek-r1',
  price: { inputNanoPerToken: '550', outputNanoPerToken: '2190' },
  size: { promptTokens: 5, promptReserve: 10, outputTokens: 100 },
};

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A publisher on a spool directory of its own (or `dir`), over a bus whose JetStream works while `up.ok`. */
async function publisher(dir = mkdtempSync(join(tmpdir(), 'tf-usage-spec-')), up = { ok: true }) {
  dirs.push(dir);
  const published: { subject: string; event: UsageRecordedEvent; msgId: string }[] = [];
  const bus = {
    publishDurable: async (subject: string, event: UsageRecordedEvent, msgId: string) => {
      if (!up.ok) throw new Error('no JetStream');
      published.push({ subject, event, msgId });
    },
  };
  const usage = new UsagePublisher(bus as unknown as NatsBus, { USAGE_SPOOL_DIR: dir, USAGE_SPOOL_MEMORY_EVENTS: 100, USAGE_SPOOL_SEGMENT_BYTES: 1 << 20, TF_NAMESPACE: '' });
  await usage.onModuleInit();
  return { usage, published, dir, up };
}

describe('UsagePublisher', () => {
  it("carries an auto request's category, and the reasoning tokens inside the completion tokens, to billing", async () => {
    const { usage, published } = await publisher();
    const tokens = { prompt_tokens: 5, completion_tokens: 900, total_tokens: 905, completion_tokens_details: { reasoning_tokens: 800 } };
    await usage.publish({ ...REQUEST, category: 'math' }, tokens, 'upstream', 'ok', { ttftMs: 10, durationMs: 100 });
    const [{ event, msgId }] = published;
    assert.equal(msgId, 'req_1:2');
    assert.deepEqual([event.category, event.completionTokens, event.reasoningTokens, event.outcome], ['math', 900, 800, 'ok']);
    assert.equal(usage.stats().events, 0);
    await usage.drain(Date.now());
    usage.close();
  });

  it('leaves the category out for a named model', async () => {
    const { usage, published } = await publisher();
    await usage.publish(REQUEST, { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }, 'estimated', 'cancelled', { ttftMs: null, durationMs: 5 });
    assert.ok(!('category' in published[0].event));
    await usage.drain(Date.now());
    usage.close();
  });

  it('keeps an event JetStream refuses on disk, retries it, and a restarted publisher replays it once it works', async () => {
    const first = await publisher(undefined, { ok: false });
    await first.usage.publish(REQUEST, { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 }, 'upstream', 'ok', { ttftMs: 1, durationMs: 2 });
    assert.equal(first.usage.stats().events, 1, 'spooled');
    await first.usage.drain(Date.now() + 100);
    first.usage.close();
    const slot = join(first.dir, 'default', 'slot-0');
    const onDisk = readdirSync(slot).filter((f) => f.endsWith('.jsonl')).map((f) => readFileSync(join(slot, f), 'utf8')).join('');
    assert.match(onDisk, /"eventId":"req_1:2"/);

    const second = await publisher(first.dir);
    await waitFor(() => second.published.length > 0, 5_000, 'replayed');
    assert.deepEqual(second.published.map((p) => p.msgId), ['req_1:2']);
    await waitFor(() => second.usage.stats().events === 0, 5_000, 'acknowledged');
    await second.usage.drain(Date.now());
    second.usage.close();
    assert.ok(!existsSync(slot), 'nothing left to replay: the slot is gone');
  });

  it('retries with backoff while JetStream is away, and publishes as soon as it is back', async () => {
    const { usage, published, up } = await publisher(undefined, { ok: false });
    await usage.publish(REQUEST, { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }, 'upstream', 'ok', { ttftMs: 1, durationMs: 2 });
    await new Promise((r) => setTimeout(r, 600));
    up.ok = true;
    await waitFor(() => published.length === 1, 5_000, 'published after the outage');
    await waitFor(() => usage.stats().events === 0, 1_000, 'acknowledged');
    await usage.drain(Date.now());
    usage.close();
  });

  it('regression: usage recorded after the shutdown flush is journaled for the next start, not logged and forgotten', async () => {
    const first = await publisher();
    await first.usage.drain(Date.now());
    // An attempt that outlived the flush (NATS is about to close): no publish now, but on disk.
    await first.usage.publish(REQUEST, { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 }, 'upstream', 'error', { ttftMs: 1, durationMs: 2 });
    assert.equal(first.published.length, 0);
    assert.equal(first.usage.stats().events, 1);
    first.usage.close(); // the process exits
    const slot = join(first.dir, 'default', 'slot-0');
    assert.match(readdirSync(slot).map((f) => (f.endsWith('.jsonl') ? readFileSync(join(slot, f), 'utf8') : '')).join(''), /"eventId":"req_1:2"/);
    const second = await publisher(first.dir);
    await waitFor(() => second.published.length === 1, 5_000, 'replayed by the next start');
    await waitFor(() => second.usage.stats().events === 0, 5_000, 'acknowledged');
    await second.usage.drain(Date.now());
    second.usage.close();
  });

  it('regression: takes over, while running, what a stopped replica left in its slot (no boot needed)', async () => {
    const running = await publisher();
    // The old replica of a rolling deploy: JetStream refused its last event, then it died without closing.
    const old = await publisher(running.dir, { ok: false });
    await old.usage.publish(REQUEST, { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 }, 'upstream', 'ok', { ttftMs: 1, durationMs: 2 });
    await old.usage.drain(Date.now());
    const lock = join(running.dir, 'default', 'slot-1', 'owner.json');
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(lock, minuteAgo, minuteAgo); // its heartbeat stopped a minute ago
    assert.equal(await running.usage.adopt(), 1);
    await waitFor(() => running.published.length === 1, 5_000, 'published by the running replica');
    assert.equal(running.published[0].msgId, 'req_1:2');
    assert.equal(running.usage.stats().adopted, 1);
    await running.usage.drain(Date.now() + 1_000);
    running.usage.close();
    old.usage.close();
  });
});

describe('usageEvent', () => {
  const timing = { ttftMs: 10, durationMs: 20 };

  it('names cache writes and audio, with the dearer prices quoted for them, so billing prices them apart', () => {
    const priced = { ...REQUEST, price: { ...REQUEST.price, cacheWriteNanoPerToken: '690', cacheWrite1hNanoPerToken: '1100', audioInputNanoPerToken: '40000' } };
    const usage = {
      prompt_tokens: 900,
      completion_tokens: 30,
      total_tokens: 930,
      prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 500, cache_write_1h_tokens: 200, audio_tokens: 50 },
      completion_tokens_details: { audio_tokens: 7 },
    };
    const e = usageEvent(priced, usage, 'upstream', 'ok', timing);
    assert.deepEqual(
      [e.cacheWriteTokens, e.cacheWrite1hTokens, e.audioPromptTokens, e.audioCompletionTokens],
      [500, 200, 50, 7],
    );
    assert.deepEqual([e.cacheWriteNanoPerToken, e.cacheWrite1hNanoPerToken, e.audioInputNanoPerToken, e.audioOutputNanoPerToken], ['690', '1100', '40000', undefined]);
  });

  it('adds nothing for plain usage', () => {
    const e = usageEvent(REQUEST, { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 }, 'upstream', 'ok', timing);
    for (const k of ['cacheWriteTokens', 'cacheWrite1hTokens', 'audioPromptTokens', 'audioCompletionTokens', 'cacheWriteNanoPerToken'] as const) assert.equal(k in e, false, k);
  });
});
