import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { type HoldReleaseEvent, type HoldsPlacedEvent, Subjects, type UsageRecordedEvent } from '@tokenflow/contracts';
import type { DeliveredEvent } from '@tokenflow/messaging';
import {
  abandonedEnds,
  carriedQuote,
  chargedKeys,
  type HoldEnd,
  planSettlement,
  releaseMovements,
  touchedAccounts,
  usageEntry,
} from './settlement-plan';

const usage = (over: Partial<UsageRecordedEvent> = {}): UsageRecordedEvent => ({
  eventId: 'req_1:1',
  requestId: 'req_1',
  attemptNo: 1,
  accountId: 'acct-a',
  keyId: 'key-a',
  model: 'gpt-4o',
  channelId: 'ch',
  provider: 'openai',
  upstreamModel: 'gpt-4o',
  promptTokens: 100,
  completionTokens: 10,
  cachedTokens: 0,
  reasoningTokens: 0,
  usageSource: 'upstream',
  outcome: 'ok',
  inputNanoPerToken: '2500',
  outputNanoPerToken: '10000',
  ttftMs: 1,
  durationMs: 2,
  occurredAt: '2026-01-01T00:00:00Z',
  ...over,
});

const delivered = {
  usage: (payload: UsageRecordedEvent): DeliveredEvent => ({ subject: Subjects.usageRecorded, payload, msgId: undefined, redelivered: false }),
  release: (payload: HoldReleaseEvent): DeliveredEvent => ({ subject: Subjects.billingHoldRelease, payload, msgId: undefined, redelivered: false }),
  holds: (payload: HoldsPlacedEvent): DeliveredEvent => ({ subject: Subjects.billingHoldsPlaced, payload, msgId: undefined, redelivered: false }),
};

const end = (over: Partial<HoldEnd> & { requestId: string }): HoldEnd => ({ accountId: 'acct-a', keyId: 'key-a', model: null, requested: false, ...over });

describe('planSettlement', () => {
  it('turns every hold of a holds-placed event into a hold entry, amounts exact past 2^53', () => {
    const plan = planSettlement([
      delivered.holds({
        holds: [
          { requestId: 'r1', accountId: 'a', keyId: 'k', model: 'm', amountNano: '9007199254740993' },
          { requestId: 'r2', accountId: 'a', keyId: 'k', model: 'm', amountNano: '5' },
        ],
      }),
    ]);
    assert.deepEqual(plan.holds, [
      { requestId: 'r1', accountId: 'a', keyId: 'k', model: 'm', amountNano: 9007199254740993n, note: null },
      { requestId: 'r2', accountId: 'a', keyId: 'k', model: 'm', amountNano: 5n, note: null },
    ]);
    assert.deepEqual(plan.ends, [], 'placing a hold ends nothing');
  });

  it('ends each request once: usage ends its request, and a release event of the same request takes precedence', () => {
    const plan = planSettlement([
      delivered.usage(usage({ requestId: 'r1', eventId: 'r1:1', model: 'gpt-4o' })),
      delivered.usage(usage({ requestId: 'r1', eventId: 'r1:2', model: 'gpt-4o' })),
      delivered.release({ requestId: 'r1', accountId: 'acct-a', keyId: 'key-a', amountNano: '70', reason: 'failed' }),
      delivered.release({ requestId: 'r2', accountId: 'acct-b', keyId: 'key-b' }),
      delivered.usage(usage({ requestId: 'r2', eventId: 'r2:1', accountId: 'acct-b', keyId: 'key-b' })),
    ]);
    assert.equal(plan.usage.length, 3, 'every usage event is settled, even two attempts of one request');
    assert.deepEqual(
      plan.ends.map((e) => [e.requestId, e.requested, e.amountNano, e.reason, e.model]),
      [
        // First seen as usage, then released with the amount billing freed: the release's facts win, the order stays.
        ['r1', true, '70', 'failed', null],
        // A usage after the release must not turn it back into an unrequested end (abandonment depends on it).
        ['r2', true, undefined, undefined, null],
      ],
    );
  });

  it('keeps the model of a request that only usage ended', () => {
    const plan = planSettlement([delivered.usage(usage({ requestId: 'r9', model: 'deepseek-v3' }))]);
    assert.deepEqual(plan.ends, [{ requestId: 'r9', accountId: 'acct-a', keyId: 'key-a', model: 'deepseek-v3', requested: false }]);
  });
});

describe('carriedQuote', () => {
  it('uses the price quoted at the request start, with its cached-input price', () => {
    assert.deepEqual(carriedQuote(usage({ cachedInputNanoPerToken: '1250' })), {
      inputNanoPerToken: '2500',
      outputNanoPerToken: '10000',
      cachedInputNanoPerToken: '1250',
    });
  });

  it('carries the dearer prices quoted at the start (cache writes, audio), so usage of them is billed at them', () => {
    const e = usage({ promptTokens: 1000, cacheWriteTokens: 600, cacheWrite1hTokens: 200, cacheWriteNanoPerToken: '3125', cacheWrite1hNanoPerToken: '5000', audioInputNanoPerToken: '40000' });
    const quote = carriedQuote(e)!;
    assert.deepEqual([quote.cacheWriteNanoPerToken, quote.cacheWrite1hNanoPerToken, quote.audioInputNanoPerToken, quote.audioOutputNanoPerToken], ['3125', '5000', '40000', undefined]);
    // 400 plain × 2500 + 400 5-minute writes × 3125 + 200 1-hour writes × 5000, plus the output at 10000.
    assert.equal(usageEntry(e, quote).amountNano, -(400n * 2500n + 400n * 3125n + 200n * 5000n + BigInt(e.completionTokens) * 10000n));
  });

  it('has none for events from before quotes existed (either price missing)', () => {
    const old = usage();
    delete (old as Partial<UsageRecordedEvent>).inputNanoPerToken;
    assert.equal(carriedQuote(old), null);
    const half = usage();
    delete (half as Partial<UsageRecordedEvent>).outputNanoPerToken;
    assert.equal(carriedQuote(half), null);
  });
});

describe('usageEntry', () => {
  it('debits exactly the cost at the quote, keyed by the event id', () => {
    const e = usageEntry(usage({ eventId: 'req_7:2', promptTokens: 100, cachedTokens: 40, completionTokens: 10 }), {
      inputNanoPerToken: '2500',
      outputNanoPerToken: '10000',
      cachedInputNanoPerToken: '1250',
    });
    assert.equal(e.idempotencyKey, 'usage:req_7:2');
    // 60 uncached × 2500 + 40 cached × 1250 + 10 × 10000
    assert.equal(e.amountNano, -(60n * 2500n + 40n * 1250n + 10n * 10000n));
    assert.deepEqual([e.inputPriceNano, e.outputPriceNano, e.cachedInputPriceNano], [2500n, 10000n, 1250n]);
  });

  it('records no cached price when the quote has none, and charges nothing at the zero quote', () => {
    const e = usageEntry(usage(), { inputNanoPerToken: '0', outputNanoPerToken: '0' });
    assert.equal(e.amountNano, 0n);
    assert.equal(e.cachedInputPriceNano, null);
  });

  it("keeps an auto request's category and the outcome; old events and implausible categories leave none", () => {
    const quote = { inputNanoPerToken: '1', outputNanoPerToken: '1' };
    const e = usageEntry(usage({ category: 'math', outcome: 'cancelled' }), quote);
    assert.deepEqual([e.category, e.outcome], ['math', 'cancelled']);
    assert.equal(usageEntry(usage(), quote).category, null);
    assert.equal(usageEntry(usage({ category: 'x'.repeat(65) }), quote).category, null);
    assert.equal(usageEntry(usage({ category: '' }), quote).category, null);
  });

  it('stays exact for costs far past 2^53 nano-USD', () => {
    const e = usageEntry(usage({ promptTokens: 2_000_000_000, completionTokens: 0 }), { inputNanoPerToken: '9007199254', outputNanoPerToken: '0' });
    assert.equal(e.amountNano, -(2_000_000_000n * 9007199254n));
  });
});

describe('releaseMovements', () => {
  it('releases the ends that still have an open hold, noting why, and skips those without one', () => {
    const ends = [
      end({ requestId: 'r1', model: 'gpt-4o' }),
      end({ requestId: 'r2', requested: true, reason: 'expired' }),
      end({ requestId: 'r3', requested: true }),
    ];
    assert.deepEqual(releaseMovements(ends, [30n, 0n, null]), [
      { requestId: 'r1', accountId: 'acct-a', keyId: 'key-a', model: 'gpt-4o', amountNano: 30n, note: 'settled' },
      // A zero hold is still a hold: its release is recorded (only a missing hold is skipped).
      { requestId: 'r2', accountId: 'acct-a', keyId: 'key-a', model: null, amountNano: 0n, note: 'expired' },
    ]);
  });
});

describe('abandonedEnds', () => {
  it('abandons only release events that found no hold; usage without a hold is not a release', () => {
    const ends = [end({ requestId: 'r1', requested: true }), end({ requestId: 'r2', requested: true }), end({ requestId: 'r3', requested: false })];
    const releases = releaseMovements(ends, [10n, null, null]);
    assert.deepEqual(abandonedEnds(ends, releases).map((e) => e.requestId), ['r2']);
  });
});

describe('touchedAccounts and chargedKeys', () => {
  it('lists each account and each key once, with the key’s account', () => {
    const entries = [
      usageEntry(usage({ eventId: '1', accountId: 'a1', keyId: 'k1' }), { inputNanoPerToken: '1', outputNanoPerToken: '1' }),
      usageEntry(usage({ eventId: '2', accountId: 'a1', keyId: 'k2' }), { inputNanoPerToken: '1', outputNanoPerToken: '1' }),
      usageEntry(usage({ eventId: '3', accountId: 'a2', keyId: 'k3' }), { inputNanoPerToken: '1', outputNanoPerToken: '1' }),
      usageEntry(usage({ eventId: '4', accountId: 'a1', keyId: 'k1' }), { inputNanoPerToken: '1', outputNanoPerToken: '1' }),
    ];
    assert.deepEqual(touchedAccounts(entries), ['a1', 'a2']);
    assert.deepEqual([...chargedKeys(entries)], [['k1', 'a1'], ['k2', 'a1'], ['k3', 'a2']]);
  });
});
