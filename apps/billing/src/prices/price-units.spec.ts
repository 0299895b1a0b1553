import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { perTokenNano, priceVersionOf, usdPerMtokView } from './price-units';

const refusal = (fn: () => unknown, param: string) =>
  assert.throws(fn, (err: unknown) => err instanceof TfError && err.code === 'invalid_request' && err.param === param);

describe('perTokenNano', () => {
  it('turns USD per 1M tokens into whole nano-USD per token', () => {
    assert.equal(perTokenNano('0.14', 'p'), 140n);
    assert.equal(perTokenNano('2.50', 'p'), 2500n);
    assert.equal(perTokenNano('0.001', 'p'), 1n, 'the finest price there is: $0.001 per 1M tokens');
    assert.equal(perTokenNano('0', 'p'), 0n);
  });

  it('refuses finer prices instead of rounding them, and anything that is not a USD decimal', () => {
    refusal(() => perTokenNano('0.0015', 'input_usd_per_mtok'), 'input_usd_per_mtok');
    refusal(() => perTokenNano('0.000001', 'p'), 'p');
    assert.throws(() => perTokenNano('0.0001', 'p'), /at most 3 decimal places/);
    refusal(() => perTokenNano('-1', 'p'), 'p');
    refusal(() => perTokenNano('1e3', 'p'), 'p');
  });
});

describe('priceVersionOf', () => {
  const now = new Date('2026-04-01T10:00:00Z');

  it('is in force from now unless it names its own time', () => {
    const v = priceVersionOf({ model: 'm', input_usd_per_mtok: '1', output_usd_per_mtok: '2' }, now);
    assert.deepEqual(v, { model: 'm', effectiveFrom: now, inputNanoPerToken: 1000n, outputNanoPerToken: 2000n, cachedInputNanoPerToken: null });
    const later = priceVersionOf({ model: 'm', input_usd_per_mtok: '1', output_usd_per_mtok: '2', effective_from: '2026-05-01T00:00:00Z' }, now);
    assert.deepEqual(later.effectiveFrom, new Date('2026-05-01T00:00:00Z'));
  });

  it('accepts a cached-input price up to the input price, never above it (holds price prompts at the input price)', () => {
    assert.equal(priceVersionOf({ model: 'm', input_usd_per_mtok: '1', output_usd_per_mtok: '1', cached_input_usd_per_mtok: '1' }, now).cachedInputNanoPerToken, 1000n);
    refusal(() => priceVersionOf({ model: 'm', input_usd_per_mtok: '1', output_usd_per_mtok: '1', cached_input_usd_per_mtok: '1.001' }, now), 'cached_input_usd_per_mtok');
    assert.throws(() => priceVersionOf({ model: 'm', input_usd_per_mtok: '1', output_usd_per_mtok: '1', cached_input_usd_per_mtok: '1.001' }, now), /cannot exceed/);
  });

  it('takes the optional prices (priority, cache writes, audio) and shows them back', () => {
    const req = {
      model: 'm',
      input_usd_per_mtok: '2.50',
      output_usd_per_mtok: '10',
      priority_input_usd_per_mtok: '4.25',
      priority_output_usd_per_mtok: '17',
      priority_cached_input_usd_per_mtok: '2.125',
      cache_write_usd_per_mtok: '3.125',
      cache_write_1h_usd_per_mtok: '5',
      audio_input_usd_per_mtok: '40',
      audio_output_usd_per_mtok: '80',
    };
    const v = priceVersionOf(req, now);
    assert.equal(v.priorityInputNanoPerToken, 4250n);
    assert.equal(v.priorityCachedInputNanoPerToken, 2125n);
    assert.equal(v.cacheWrite1hNanoPerToken, 5000n);
    assert.equal(v.audioOutputNanoPerToken, 80000n);
    const view = usdPerMtokView(v);
    assert.equal(view.priority_output_usd_per_mtok, '17.00');
    assert.equal(view.cache_write_usd_per_mtok, '3.125');
    assert.equal(view.audio_input_usd_per_mtok, '40.00');
  });

  it('takes priority prices as an input and output pair, a priority cached price only under the priority input', () => {
    const m = { model: 'm', input_usd_per_mtok: '1', output_usd_per_mtok: '1' };
    refusal(() => priceVersionOf({ ...m, priority_input_usd_per_mtok: '2' }, now), 'priority_output_usd_per_mtok');
    refusal(() => priceVersionOf({ ...m, priority_output_usd_per_mtok: '2' }, now), 'priority_input_usd_per_mtok');
    refusal(() => priceVersionOf({ ...m, priority_input_usd_per_mtok: '2', priority_output_usd_per_mtok: '2', priority_cached_input_usd_per_mtok: '3' }, now), 'priority_cached_input_usd_per_mtok');
    refusal(() => priceVersionOf({ ...m, audio_input_usd_per_mtok: '0.0001' }, now), 'audio_input_usd_per_mtok');
  });

  it('names the field at fault', () => {
    refusal(() => priceVersionOf({ model: 'm', input_usd_per_mtok: 'x', output_usd_per_mtok: '1' }, now), 'input_usd_per_mtok');
    refusal(() => priceVersionOf({ model: 'm', input_usd_per_mtok: '1', output_usd_per_mtok: '0.0001' }, now), 'output_usd_per_mtok');
    refusal(() => priceVersionOf({ model: 'm', input_usd_per_mtok: '1', output_usd_per_mtok: '1', effective_from: 'next tuesday' }, now), 'effective_from');
  });
});

describe('usdPerMtokView', () => {
  it('shows nano-USD per token back as USD per 1M tokens', () => {
    const view = usdPerMtokView({ model: 'm', effectiveFrom: new Date('2026-01-01T00:00:00Z'), inputNanoPerToken: 140n, outputNanoPerToken: 280n, cachedInputNanoPerToken: null });
    assert.deepEqual(view, {
      input_usd_per_mtok: '0.14',
      output_usd_per_mtok: '0.28',
      cached_input_usd_per_mtok: null,
      priority_input_usd_per_mtok: null,
      priority_output_usd_per_mtok: null,
      priority_cached_input_usd_per_mtok: null,
      cache_write_usd_per_mtok: null,
      cache_write_1h_usd_per_mtok: null,
      audio_input_usd_per_mtok: null,
      audio_output_usd_per_mtok: null,
      effective_from: '2026-01-01T00:00:00.000Z',
    });
    assert.equal(usdPerMtokView({ ...{ model: 'm', effectiveFrom: new Date(0), inputNanoPerToken: 1n, outputNanoPerToken: 1n }, cachedInputNanoPerToken: 1n }).cached_input_usd_per_mtok, '0.001');
  });

  it('round-trips with perTokenNano', () => {
    for (const usd of ['0.14', '2.50', '15.00', '0.001', '1234.567']) {
      const nano = perTokenNano(usd, 'p');
      const shown = usdPerMtokView({ model: 'm', effectiveFrom: new Date(0), inputNanoPerToken: nano, outputNanoPerToken: nano, cachedInputNanoPerToken: null }).input_usd_per_mtok;
      assert.equal(perTokenNano(shown, 'p'), nano, `${usd} → ${shown}`);
    }
  });
});
