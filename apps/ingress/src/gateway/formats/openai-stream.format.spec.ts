import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { OpenAiStreamFormat } from './openai-stream.format';

const USAGE = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
const chunk = (extra: Record<string, unknown> = {}) => ({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: 'stop' }], ...extra });

/** The events of an SSE text, parsed (the `[DONE]` marker and comments left out). */
const events = (sse: string) =>
  sse
    .split('\n')
    .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
    .map((l) => JSON.parse(l.slice(6)) as Record<string, unknown>);

describe('OpenAiStreamFormat: the final usage chunk (regression: system_fingerprint null for Kimi, GLM, Claude; issue 15)', () => {
  it('omits system_fingerprint when the stream had none, instead of sending null', () => {
    const format = OpenAiStreamFormat.chat(true, { includeUsage: true, model: 'kimi-k2', requestId: 'r' });
    format.chunk(chunk());
    const [usageChunk] = events(format.end(USAGE, null));
    assert.deepEqual(usageChunk.choices, []);
    assert.deepEqual(usageChunk.usage, USAGE);
    assert.ok(!('system_fingerprint' in usageChunk), JSON.stringify(usageChunk));
  });

  it('repeats the fingerprint the stream carried', () => {
    const format = OpenAiStreamFormat.chat(true, { includeUsage: true, model: 'gpt-4o', requestId: 'r' });
    format.chunk(chunk({ system_fingerprint: 'fp_1' }));
    assert.equal(events(format.end(USAGE, null))[0].system_fingerprint, 'fp_1');
  });

  it('never sets a fingerprint on legacy completions chunks', () => {
    const format = OpenAiStreamFormat.completions(true, { includeUsage: true, model: 'deepseek-v3', requestId: 'r' });
    format.chunk({ id: 'c', object: 'text_completion', created: 1, model: 'm', choices: [{ index: 0, text: 'hi', logprobs: null, finish_reason: 'stop' }] });
    const [usageChunk] = events(format.end(USAGE, null));
    assert.equal(usageChunk.object, 'text_completion');
    assert.ok(!('system_fingerprint' in usageChunk));
  });

  it('a non-streamed answer assembled from chunks without a fingerprint has none', () => {
    const format = OpenAiStreamFormat.chat(false, { includeUsage: false, model: 'glm-4-plus', requestId: 'r' });
    format.add(chunk());
    assert.ok(!('system_fingerprint' in format.result(USAGE)));
  });
});
