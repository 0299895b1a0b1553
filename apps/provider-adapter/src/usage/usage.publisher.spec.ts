import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { InvokeRequest, UsageRecordedEvent } from '@tokenflow/contracts';
import type { NatsBus } from '@tokenflow/messaging';
import { UsagePublisher } from './usage.publisher';

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

function publisher() {
  const published: { subject: string; event: UsageRecordedEvent; msgId: string }[] = [];
  const bus = { publishDurable: async (subject: string, event: UsageRecordedEvent, msgId: string) => void published.push({ subject, event, msgId }) };
  return { usage: new UsagePublisher(bus as unknown as NatsBus), published };
}

describe('UsagePublisher', () => {
  it("carries an auto request's category, and the reasoning tokens inside the completion tokens, to billing", async () => {
    const { usage, published } = publisher();
    const tokens = { prompt_tokens: 5, completion_tokens: 900, total_tokens: 905, completion_tokens_details: { reasoning_tokens: 800 } };
    await usage.publish({ ...REQUEST, category: 'math' }, tokens, 'upstream', 'ok', { ttftMs: 10, durationMs: 100 });
    const [{ event, msgId }] = published;
    assert.equal(msgId, 'req_1:2');
    assert.deepEqual([event.category, event.completionTokens, event.reasoningTokens, event.outcome], ['math', 900, 800, 'ok']);
  });

  it('leaves the category out for a named model', async () => {
    const { usage, published } = publisher();
    await usage.publish(REQUEST, { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }, 'estimated', 'cancelled', { ttftMs: null, durationMs: 5 });
    assert.ok(!('category' in published[0].event));
  });
});
