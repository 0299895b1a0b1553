import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { PlannedAttempt } from '@tokenflow/contracts';
import type { Selection } from './attempt-selection';
import { withinLatencyTarget } from './latency-target';

const attempt = (channelId: string, keyRef = 'k'): PlannedAttempt => ({
  channelId,
  channelName: channelId,
  provider: 'deepseek',
  baseUrl: `https://${channelId}.example/v1`,
  keyRef,
  upstreamModel: 'm',
  timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1 },
});
const P95: Record<string, number | null> = { fast: 120, slow: 900, fresh: null, sluggish: 700 };
const p95Of = (channelId: string) => P95[channelId] ?? null;
const ids = (s: Selection) => [s.attempts.map((a) => `${a.channelId}/${a.keyRef}`), s.lastResort.map((a) => a.channelId)];

describe('withinLatencyTarget', () => {
  const sel: Selection = { attempts: [attempt('slow', 'k1'), attempt('fast', 'k1'), attempt('slow', 'k2'), attempt('fresh')], lastResort: [attempt('sluggish'), attempt('fast', 'k9')] };

  it("without a target keeps the plan and reports its best channel's p95", () => {
    const t = withinLatencyTarget(sel, p95Of, undefined);
    assert.equal(t.selection, sel);
    assert.equal(t.p95TtftMs, 120);
  });

  it('plans only the channels that meet the target or are not measured yet, in their order, last resorts too', () => {
    const t = withinLatencyTarget(sel, p95Of, 500);
    assert.deepEqual(ids(t.selection), [['fast/k1', 'fresh/k'], ['fast']]);
    assert.equal(t.p95TtftMs, 120);
    // Only unmeasured channels meet it: nothing says the model misses.
    const fresh = withinLatencyTarget({ attempts: [attempt('slow'), attempt('fresh')], lastResort: [] }, p95Of, 100);
    assert.deepEqual([ids(fresh.selection), fresh.p95TtftMs], [[['fresh/k'], []], null]);
  });

  it('keeps every channel of a model none of whose channels meets the target, with the best measured p95 (a miss)', () => {
    const slowOnly: Selection = { attempts: [attempt('slow'), attempt('sluggish')], lastResort: [attempt('fast')] };
    const t = withinLatencyTarget(slowOnly, p95Of, 500);
    assert.equal(t.selection, slowOnly);
    assert.equal(t.p95TtftMs, 700);
  });

  it('says nothing measured for a model whose channels have no samples', () => {
    assert.equal(withinLatencyTarget({ attempts: [attempt('fresh')], lastResort: [] }, p95Of, undefined).p95TtftMs, null);
  });
});
