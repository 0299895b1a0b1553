import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { mergeUsage, toTokenUsage } from './usage.mapper';

describe('Anthropic usage → OpenAI usage', () => {
  it('counts cache reads and writes in the prompt, and names the writes (and the 1-hour ones) for billing', () => {
    let u = mergeUsage({}, { input_tokens: 100, cache_read_input_tokens: 300, cache_creation_input_tokens: 600, cache_creation: { ephemeral_5m_input_tokens: 400, ephemeral_1h_input_tokens: 200 }, output_tokens: 1 });
    u = mergeUsage(u, { output_tokens: 42 });
    assert.deepEqual(toTokenUsage(u), {
      prompt_tokens: 1000,
      completion_tokens: 42,
      total_tokens: 1042,
      prompt_tokens_details: { cached_tokens: 300, cache_write_tokens: 600, cache_write_1h_tokens: 200 },
    });
  });

  it('names no writes when there were none', () => {
    assert.deepEqual(toTokenUsage(mergeUsage({}, { input_tokens: 10, output_tokens: 2 })).prompt_tokens_details, { cached_tokens: 0 });
  });
});
