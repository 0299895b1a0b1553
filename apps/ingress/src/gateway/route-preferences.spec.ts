import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { routePreferences } from './route-preferences';

describe('routePreferences', () => {
  it("maps the body's route to the plan's preferences", () => {
    assert.deepEqual(routePreferences({ mode: 'economy', max_price_per_1m_output: 3, latency_target_ms: 800, models: ['a', 'b'] }, undefined), {
      mode: 'economy',
      maxPricePer1mOutput: 3,
      latencyTargetMs: 800,
      models: ['a', 'b'],
    });
    assert.deepEqual(routePreferences(undefined, undefined), {});
  });

  it('takes the latency target from the header unless the body names one, and refuses a bad header', () => {
    assert.equal(routePreferences(undefined, '1500').latencyTargetMs, 1500);
    assert.equal(routePreferences({ latency_target_ms: 200 }, '1500').latencyTargetMs, 200);
    for (const bad of ['0', '-5', 'fast', '1e3', '700000']) {
      assert.throws(() => routePreferences(undefined, bad), (e: unknown) => e instanceof TfError && e.status === 400 && e.param === 'x-tokenflow-latency-target-ms', bad);
    }
  });
});
