import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { redeliveryDelayMs } from './durable-streams';

describe('redeliveryDelayMs', () => {
  it('retries a transient failure soon and caps it at 5 s, so settlement resumes within seconds of an outage', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => redeliveryDelayMs(n, true)), [250, 500, 1_000, 2_000, 4_000, 5_000]);
    // Deliveries keep counting through a long outage: the delay stays finite and capped.
    assert.equal(redeliveryDelayMs(10_000, true), 5_000);
  });

  it('backs a failing event off further, up to a minute', () => {
    assert.deepEqual([1, 2, 3, 7, 8, 500].map((n) => redeliveryDelayMs(n, false)), [1_000, 2_000, 4_000, 60_000, 60_000, 60_000]);
    assert.equal(redeliveryDelayMs(0, false), 1_000);
  });
});
