import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import type { TokenUsage } from '@tokenflow/contracts';
import { estimateCompletionTokens, estimatePromptTokens, TokenCounter } from '@tokenflow/openai';
import { StreamTally } from './stream-tally';

const counter = new TokenCounter({ threads: 1 });
after(() => counter.close());

const body = {
  model: 'deepseek-v3',
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: 'Tell me about the weather in Paris today.' },
  ],
};

function chunk(delta: Record<string, unknown> | undefined, finish_reason: string | null = null): Record<string, unknown> {
  return { id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason }] };
}

/** The usage the adapter would bill: the prompt as ingress counted it, the output by the tokenizer. */
const usageOf = (t: StreamTally, b: Record<string, unknown> = body) => t.usage(estimatePromptTokens(b), counter);

async function completionTokensFor(...chunks: Record<string, unknown>[]): Promise<number> {
  const t = new StreamTally();
  for (const c of chunks) t.observe(c);
  return (await usageOf(t)).usage.completion_tokens;
}

describe('StreamTally', () => {
  it('prefers the usage the upstream reported', async () => {
    const t = new StreamTally();
    t.observe(chunk({ content: 'a long answer that would estimate to several tokens' }));
    const upstream: TokenUsage = { prompt_tokens: 100, completion_tokens: 200, total_tokens: 300, prompt_tokens_details: { cached_tokens: 64 } };
    t.upstreamUsage = upstream;
    assert.deepEqual(await usageOf(t), { usage: upstream, source: 'upstream' });
  });

  it('estimates usage from the generated text when the upstream reported none', async () => {
    const t = new StreamTally();
    t.observe(chunk({ role: 'assistant', content: 'It is sunny ' }));
    t.observe(chunk({ content: 'and 21 degrees in Paris.' }));
    const { usage, source } = await usageOf(t);
    assert.equal(source, 'estimated');
    assert.ok(usage.prompt_tokens > 0);
    assert.ok(usage.completion_tokens > 0);
    assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
  });

  it('counts content, reasoning_content and tool-call arguments each', async () => {
    assert.ok(await completionTokensFor(chunk({ content: 'Sunny and warm today.' })) > 0);
    assert.ok(await completionTokensFor(chunk({ reasoning_content: 'The user wants the weather, so I will look it up.' })) > 0);
    assert.ok(
      (await completionTokensFor(
        chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city": "Paris", "unit": "celsius"}' } }] }),
      )) > 0,
    );
  });

  it('adds reasoning and tool-call text on top of content', async () => {
    const contentOnly = await completionTokensFor(chunk({ content: 'Answer.' }));
    const all = await completionTokensFor(
      chunk({ reasoning_content: 'Thinking about what the user asked for in some detail.' }),
      chunk({ content: 'Answer.' }),
      chunk({ tool_calls: [{ index: 0, function: { name: 'lookup', arguments: '{"query":"weather in Paris"}' } }] }),
    );
    assert.ok(all > contentOnly, `${all} > ${contentOnly}`);
  });

  it('estimates zero completion tokens when nothing was generated', async () => {
    const t = new StreamTally();
    const { usage, source } = await usageOf(t);
    assert.equal(source, 'estimated');
    assert.equal(usage.completion_tokens, 0);
    assert.ok(usage.prompt_tokens > 0);
    assert.equal(usage.total_tokens, usage.prompt_tokens);
  });

  it('bills the prompt as ingress counted it, and counts a long output off the event loop, exactly', async () => {
    const t = new StreamTally();
    const text = 'a'.repeat(300_000);
    t.observe(chunk({ content: text }));
    const { usage } = await t.usage(1234, counter);
    assert.equal(usage.prompt_tokens, 1234);
    assert.ok(usage.completion_tokens > 0 && usage.completion_tokens <= estimateCompletionTokens(text));
  });

  it('notices a finish_reason on any choice', async () => {
    const t = new StreamTally();
    t.observe(chunk({ content: 'x' }));
    assert.equal(t.sawFinish, false);
    t.observe({ choices: [{ index: 0, delta: { content: 'y' }, finish_reason: null }, { index: 1, delta: {}, finish_reason: 'length' }] });
    assert.equal(t.sawFinish, true);
  });

  it('counts chunks and records when the first arrived, tolerating chunks without choices or delta', async () => {
    const t = new StreamTally();
    assert.equal(t.firstChunkAt, null);
    const before = Date.now();
    t.observe({ id: 'usage-only', choices: [] });
    t.observe({ id: 'no-choices' });
    t.observe(chunk(undefined, 'stop'));
    assert.equal(t.chunks, 3);
    assert.ok(t.firstChunkAt !== null && t.firstChunkAt >= before && t.firstChunkAt <= Date.now());
    assert.equal(t.sawFinish, true);
  });
});

describe('StreamTally distrusts broken upstream usage', () => {
  const body = { messages: [{ role: 'user', content: 'Hello there, how are you today?' }] };
  const chunk = (content: string) => ({ choices: [{ index: 0, delta: { content }, finish_reason: null }] });

  it('falls back to a local count for negative, fractional or missing counts, and for zero output on a non-empty stream', async () => {
    for (const bad of [
      { prompt_tokens: -5, completion_tokens: 10, total_tokens: 5 },
      { prompt_tokens: 1.5, completion_tokens: 10, total_tokens: 11.5 },
      {} as never,
      { prompt_tokens: 10, completion_tokens: 0, total_tokens: 10 },
    ]) {
      const t = new StreamTally();
      t.observe(chunk('some generated words here'));
      t.upstreamUsage = bad;
      const { usage, source } = await usageOf(t, body);
      assert.equal(source, 'estimated', JSON.stringify(bad));
      assert.ok(usage.completion_tokens > 0 && usage.prompt_tokens > 0);
    }
  });
});
