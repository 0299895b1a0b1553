import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { attemptFor, sent } from '../../../test/providers/attempt.testing';
import { replay, sseOf } from '../../../test/providers/fixture-replay';
import { provider as openai } from './index';

describe('openai provider', () => {
  it('sends max_completion_tokens (max_tokens is deprecated, and refused by reasoning models)', () => {
    const req = openai.chat.buildRequest(attemptFor('openai', 'gpt-4o'), { messages: [{ role: 'user', content: 'hi' }], max_tokens: 50, temperature: 0.3 });
    assert.equal(req.url, 'https://api.openai.com/v1/chat/completions');
    assert.deepEqual(sent(req), { messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 50, temperature: 0.3, model: 'gpt-4o', stream: true, stream_options: { include_usage: true } });
  });

  it('drops sampling parameters and logprobs for reasoning models', () => {
    const body = { messages: [], temperature: 0.3, top_p: 0.9, presence_penalty: 1, frequency_penalty: 1, logprobs: true, top_logprobs: 2, logit_bias: { '1': 2 }, reasoning_effort: 'low' };
    for (const model of ['o3-mini', 'o4-mini', 'gpt-5']) {
      assert.deepEqual(sent(openai.chat.buildRequest(attemptFor('openai', model), body)), { messages: [], reasoning_effort: 'low', model, stream: true, stream_options: { include_usage: true } });
    }
  });

  it('drops other providers\' extensions, and reasoning_effort for models without reasoning', () => {
    const body = { messages: [], thinking: { type: 'enabled', budget_tokens: 2048 }, top_k: 5, reasoning_effort: 'low' };
    assert.deepEqual(sent(openai.chat.buildRequest(attemptFor('openai', 'gpt-4o'), body)), { messages: [], model: 'gpt-4o', stream: true, stream_options: { include_usage: true } });
    assert.equal(sent(openai.chat.buildRequest(attemptFor('openai', 'o3'), body)).reasoning_effort, 'low');
  });

  it('passes usage details through in the normalised shape', () => {
    const usage = { prompt_tokens: 2006, completion_tokens: 300, total_tokens: 2306, prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 256, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } };
    const out = replay(openai.chat.createDecoder(), sseOf({ id: 'c', object: 'chat.completion.chunk', choices: [], usage }, '[DONE]'));
    assert.deepEqual(out.usage, { prompt_tokens: 2006, completion_tokens: 300, total_tokens: 2306, prompt_tokens_details: { cached_tokens: 1920 }, completion_tokens_details: { reasoning_tokens: 256 } });
  });

  it('offers embeddings and legacy completions', () => {
    assert.equal(openai.embeddings!.buildRequest(attemptFor('openai', 'text-embedding-3-small'), { input: 'x' }).url, 'https://api.openai.com/v1/embeddings');
    const completions = openai.completions!.buildRequest(attemptFor('openai', 'gpt-3.5-turbo-instruct'), { prompt: 'Say this is a test', max_tokens: 7 });
    assert.equal(completions.url, 'https://api.openai.com/v1/completions');
    assert.deepEqual(sent(completions), { prompt: 'Say this is a test', max_tokens: 7, model: 'gpt-3.5-turbo-instruct', stream: true, stream_options: { include_usage: true } });
  });
});
