import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Headers, type PriceQuote, type TokenUsage, nanoToUsd } from '@tokenflow/contracts';
import type { CallContext } from '@tokenflow/messaging';
import type { OpenedStream } from './attempt-runner';
import type { ClientChannel } from './client-channel';
import type { RequestSaga } from './request-saga';
import type { ResponseFormat } from './response-format';
import { present } from './stream-presenter';
import { RequestTrail } from '../trail/request-trail';

/** An Anthropic model's quote: cache writes at 1.25× (5 min) and 2× (1 h) the input price; audio priced apart. */
const price: PriceQuote = {
  inputNanoPerToken: '3000',
  outputNanoPerToken: '15000',
  cachedInputNanoPerToken: '300',
  cacheWriteNanoPerToken: '3750',
  cacheWrite1hNanoPerToken: '6000',
  audioInputNanoPerToken: '40000',
  audioOutputNanoPerToken: '80000',
};

/** Usage as the adapter reports it: 1,000 prompt tokens of which 100 cached, 500 written (200 for 1 h), 50 audio. */
const usage: TokenUsage = {
  prompt_tokens: 1_000,
  completion_tokens: 100,
  total_tokens: 1_100,
  prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 500, cache_write_1h_tokens: 200, audio_tokens: 50 },
  completion_tokens_details: { audio_tokens: 30 },
};
/** What the ledger charges for it (`usageCostNano` over the same counts). */
const charged = nanoToUsd(350n * 3000n + 100n * 300n + 300n * 3750n + 200n * 6000n + 50n * 40000n + 70n * 15000n + 30n * 80000n);

function harness(streaming: boolean) {
  const seen: { headers?: Record<string, string>; endCost?: string | null } = {};
  const client = {
    signal: new AbortController().signal,
    started: false,
    setHeaders: () => {},
    openStream: () => {},
    write: () => true,
    drained: async () => true,
    endStream: () => {},
    abandon: () => {},
    send: async (headers: Record<string, string>) => {
      seen.headers = headers;
    },
  } satisfies ClientChannel;
  const format = {
    streaming,
    chunk: () => '',
    end: (_u: TokenUsage | null, cost: string | null) => {
      seen.endCost = cost;
      return '';
    },
    error: () => '',
    add: () => {},
    result: () => ({}),
  } as unknown as ResponseFormat;
  const stream = { first: { type: 'end', seq: 0, usage, usageSource: 'upstream' }, frames: {} } as unknown as OpenedStream;
  const saga = { attemptEnded: () => {} } as unknown as RequestSaga;
  const p = { stream, format, client, saga, ctx: {} as CallContext, price, headers: {} };
  return { p, seen };
}

describe('present: the cost shown to the client', () => {
  it('is what the ledger charges, cache writes and audio included (regression: header priced them as plain input)', async () => {
    const { p, seen } = harness(false);
    await present(p);
    assert.equal(seen.headers?.[Headers.cost], charged);
  });

  it('is the same in the final SSE comment', async () => {
    const { p, seen } = harness(true);
    await present(p);
    assert.equal(seen.endCost, charged);
  });
});

describe('present: the request trail', () => {
  for (const streaming of [false, true]) {
    it(`is told the usage and the charged cost (${streaming ? 'stream' : 'whole answer'})`, async () => {
      const { p } = harness(streaming);
      const trail = new RequestTrail();
      await present({ ...p, trail });
      assert.deepEqual(trail.usage, usage);
      assert.equal(nanoToUsd(trail.costNano!), charged);
      assert.equal(trail.error, null);
    });
  }

  it('is told the error a stream ended with after bytes went out', async () => {
    const { p } = harness(true);
    const trail = new RequestTrail();
    const stream = { ...p.stream, first: { type: 'error', seq: 0, error: { code: 'upstream_error', message: 'boom', status: 502 } } } as unknown as OpenedStream;
    await present({ ...p, stream, trail });
    assert.equal(trail.error?.code, 'upstream_error');
    assert.equal(trail.usage, null);
  });
});
