import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import type { PriceVersion } from './prices.repository';
import { maxCostNano, requestQuote } from './request-quote';

const base: PriceVersion = { model: 'm', effectiveFrom: new Date(0), inputNanoPerToken: 2500n, outputNanoPerToken: 10000n, cachedInputNanoPerToken: 1250n };
const full: PriceVersion = {
  ...base,
  priorityInputNanoPerToken: 4250n,
  priorityOutputNanoPerToken: 17000n,
  priorityCachedInputNanoPerToken: 2125n,
  cacheWriteNanoPerToken: 3125n,
  cacheWrite1hNanoPerToken: 5000n,
  audioInputNanoPerToken: 40000n,
  audioOutputNanoPerToken: 80000n,
};

const refused = (fn: () => unknown, param: string) =>
  assert.throws(fn, (err: unknown) => err instanceof TfError && err.code === 'invalid_request' && err.status === 400 && err.param === param);

describe('requestQuote', () => {
  it('quotes the standard prices to a plain request, and to every tier but priority (flex: the higher, standard price)', () => {
    const standard = { inputNanoPerToken: '2500', outputNanoPerToken: '10000', cachedInputNanoPerToken: '1250' };
    assert.deepEqual(requestQuote(full, undefined, 'm'), standard);
    for (const serviceTier of ['auto', 'default', 'flex', 'scale']) assert.deepEqual(requestQuote(full, { serviceTier }, 'm'), standard, serviceTier);
  });

  it('quotes the priority prices to service_tier "priority", and refuses it (400, service_tier) where the book has none', () => {
    assert.deepEqual(requestQuote(full, { serviceTier: 'priority' }, 'm'), { inputNanoPerToken: '4250', outputNanoPerToken: '17000', cachedInputNanoPerToken: '2125' });
    refused(() => requestQuote(base, { serviceTier: 'priority' }, 'm'), 'service_tier');
  });

  it('quotes cache-write prices to a request that writes, and refuses a 1-hour write the book cannot price', () => {
    assert.equal(requestQuote(full, undefined, 'm').cacheWriteNanoPerToken, undefined, 'no marks, no write price');
    assert.deepEqual(requestQuote(full, { cacheWrite: '5m' }, 'm').cacheWriteNanoPerToken, '3125');
    assert.equal(requestQuote(full, { cacheWrite: '5m' }, 'm').cacheWrite1hNanoPerToken, undefined);
    assert.equal(requestQuote(full, { cacheWrite: '1h' }, 'm').cacheWrite1hNanoPerToken, '5000');
    refused(() => requestQuote({ ...full, cacheWrite1hNanoPerToken: null }, { cacheWrite: '1h' }, 'm'), 'messages');
    // A provider that charges no premium (no write price): writes are input, and any lifetime is fine.
    assert.equal(requestQuote(base, { cacheWrite: '1h' }, 'm').cacheWriteNanoPerToken, undefined);
  });

  it('quotes audio prices to audio in and out, and refuses audio the book cannot price', () => {
    assert.equal(requestQuote(full, { audioTokens: 100 }, 'm').audioInputNanoPerToken, '40000');
    assert.equal(requestQuote(full, { audioOutput: true }, 'm').audioOutputNanoPerToken, '80000');
    refused(() => requestQuote(base, { audioTokens: 100 }, 'm'), 'messages');
    refused(() => requestQuote(base, { audioOutput: true }, 'm'), 'modalities');
  });
});

describe('maxCostNano', () => {
  it('holds the prompt at its dearest price, audio at the audio price, output at the dearer output price', () => {
    assert.equal(maxCostNano(1000, 100, requestQuote(full, undefined, 'm')), 1000n * 2500n + 100n * 10000n);
    assert.equal(maxCostNano(1000, 100, requestQuote(full, { cacheWrite: '1h' }, 'm')), 1000n * 5000n + 100n * 10000n);
    assert.equal(maxCostNano(1000, 100, requestQuote(full, { serviceTier: 'priority' }, 'm')), 1000n * 4250n + 100n * 17000n);
    assert.equal(maxCostNano(1000, 100, requestQuote(full, { audioTokens: 50, audioOutput: true }, 'm'), 50), 1000n * 2500n + 50n * 40000n + 100n * 80000n);
  });
});
