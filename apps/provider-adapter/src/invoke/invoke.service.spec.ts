import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { InvokeRequest, WireStreamFrame } from '@tokenflow/contracts';
import { CancellationRegistry } from './cancellation.registry';
import { InvokeService } from './invoke.service';

const REQUEST: InvokeRequest & { body: Record<string, unknown> } = {
  requestId: 'req_cut',
  attemptNo: 1,
  attempt: {
    channelId: 'ch-1',
    channelName: 'mock',
    provider: 'openai-compatible',
    baseUrl: 'https://up.example/v1',
    keyRef: 'ref',
    upstreamModel: 'gpt-4o',
    timeouts: { connectMs: 1_000, firstByteMs: 5_000, idleMs: 5_000 },
  },
  body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true },
  inbox: '_INBOX.cut',
  accountId: 'a1',
  keyId: 'k1',
  model: 'gpt-4o',
  price: { inputNanoPerToken: '2500', outputNanoPerToken: '10000' },
  size: { promptTokens: 5, promptReserve: 5, outputTokens: 0 },
};

const chunk = (text: string) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;

/** An upstream stream that sends two chunks and is then cut (no usage, no finish: the tokens are counted locally). */
function cutStream() {
  async function* gen(): AsyncGenerator<Buffer> {
    yield Buffer.from(chunk('Hello') + chunk(' world'));
    throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
  }
  return Object.assign(gen(), { destroy() {}, text: async () => '' });
}

describe('InvokeService', () => {
  it('regression: on the error path the usage is journaled before the error frame leaves (a crash then loses nothing)', async () => {
    const log: string[] = [];
    const bus = { sendFrame: (_inbox: string, frame: WireStreamFrame) => log.push(`frame:${frame.type}`) };
    const upstream = { send: async () => ({ status: 200, body: cutStream() }) };
    const usage = { publish: async (_req: unknown, u: { completion_tokens: number }, _s: string, outcome: string) => void log.push(`usage:${outcome}:${u.completion_tokens}`) };
    // A local count that takes a while (a long answer goes to the tokenizer's worker pool).
    const counter = { text: async () => (await new Promise((r) => setTimeout(r, 30)), 2) };
    const deps = {
      quota: { acquire: async () => false, settle: () => undefined },
      keyHealth: { report: () => undefined },
      keys: { resolve: async (a: InvokeRequest['attempt']) => ({ ...a, apiKey: 'sk-test' }) },
      health: { started: () => undefined, ended: () => undefined },
    };
    const sut = new InvokeService(
      bus as never,
      upstream as never,
      new CancellationRegistry(),
      usage as never,
      deps.quota as never,
      deps.keyHealth as never,
      counter as never,
      deps.keys as never,
      {} as never,
      deps.health as never,
    );
    await sut.run(REQUEST, Date.now() + 10_000);
    const usageAt = log.findIndex((l) => l.startsWith('usage:'));
    const errorAt = log.indexOf('frame:error');
    assert.ok(usageAt >= 0 && errorAt >= 0, log.join(' '));
    assert.equal(log[usageAt], 'usage:error:2', 'the partial answer is billed');
    assert.ok(usageAt < errorAt, `usage journaled before the error frame: ${log.join(' ')}`);
  });
});
