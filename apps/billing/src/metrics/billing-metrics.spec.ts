import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { Registry } from 'prom-client';
import { BillingMetrics } from './billing-metrics';

describe('billing metrics', () => {
  it('times holds by outcome (granted or the refusal code) and settlement batches, failed ones too', async () => {
    const registry = new Registry();
    const m = new BillingMetrics(registry);
    assert.equal(await m.timeHold(async () => 'held'), 'held');
    await assert.rejects(m.timeHold(() => Promise.reject(new TfError('insufficient_quota', 'no money'))));
    await assert.rejects(m.timeHold(() => Promise.reject(new Error('redis down'))));
    assert.equal(await m.timeSettle(async () => 3), 3);
    await assert.rejects(m.timeSettle(() => Promise.reject(new Error('ledger down'))));
    const text = await registry.metrics();
    for (const outcome of ['granted', 'insufficient_quota', 'error']) assert.match(text, new RegExp(`^tokenflow_hold_duration_seconds_count\\{outcome="${outcome}"\\} 1$`, 'm'));
    assert.match(text, /^tokenflow_settle_duration_seconds_count 2$/m);
  });
});
