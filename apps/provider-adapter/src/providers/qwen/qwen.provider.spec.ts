import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { TfError } from '@tokenflow/contracts';
import { attemptFor, sent } from '../../../test/providers/attempt.testing';
import { replay } from '../../../test/providers/fixture-replay';
import { provider as qwen } from './index';
import { EMBEDDINGS_RESPONSE, ERRORS, STREAM_WITH_USAGE_CHUNK } from '../../../test/providers/qwen/qwen.fixtures';

describe('qwen provider (DashScope compatible mode)', () => {
  it('posts to DashScope\'s compatible-mode endpoint with Qwen\'s ranges applied and its own extensions passed through', () => {
    const req = qwen.chat.buildRequest(attemptFor('qwen', 'qwen-plus'), {
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 2,
      top_p: 0,
      max_completion_tokens: 64,
      enable_thinking: false,
    });
    assert.equal(req.url, 'https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions');
    assert.deepEqual(sent(req), {
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 1.99,
      top_p: 0.01,
      max_tokens: 64,
      enable_thinking: false,
      model: 'qwen-plus',
      stream: true,
      stream_options: { include_usage: true },
    });
    assert.throws(() => qwen.chat.buildRequest(attemptFor('qwen', 'qwen-max'), { messages: [], n: 5 }), (e: TfError) => e.param === 'n');
    const thinking = sent(qwen.chat.buildRequest(attemptFor('qwen', 'qwen-plus'), { messages: [], thinking: { type: 'enabled', budget_tokens: 2048 } }));
    assert.deepEqual([thinking.enable_thinking, 'thinking' in thinking], [true, false]);
  });

  it('takes usage from the final empty-choices chunk and does not forward that chunk', () => {
    const out = replay(qwen.chat.createDecoder(), STREAM_WITH_USAGE_CHUNK);
    assert.equal(out.chunks.length, 3);
    assert.equal(out.done, true);
    assert.deepEqual(out.usage, { prompt_tokens: 22, completion_tokens: 5, total_tokens: 27, prompt_tokens_details: { cached_tokens: 0 } });
  });

  it('serves embeddings in OpenAI\'s shape, with prompt tokens as usage', () => {
    const req = qwen.embeddings!.buildRequest(attemptFor('qwen', 'text-embedding-v4'), { model: 'text-embedding-v4', input: ['a', 'b'], dimensions: 3 });
    assert.equal(req.url, 'https://dashscope.aliyuncs.com/compatible-mode/v1/embeddings');
    assert.deepEqual(sent(req), { model: 'text-embedding-v4', input: ['a', 'b'], dimensions: 3 });
    const { response, usage } = qwen.embeddings!.parseResponse(EMBEDDINGS_RESPONSE);
    assert.deepEqual(response, {
      object: 'list',
      data: [
        { embedding: [0.0123, -0.0456, 0.0789], index: 0, object: 'embedding' },
        { embedding: [0.0321, 0.0654, -0.0987], index: 1, object: 'embedding' },
      ],
      model: 'text-embedding-v4',
      usage: { prompt_tokens: 14, total_tokens: 14 },
    });
    assert.deepEqual(usage, { prompt_tokens: 14, completion_tokens: 0, total_tokens: 14 });
  });

  it('maps DashScope\'s errors: Arrearage, invalid key, input length, content inspection', () => {
    const map = (e: { status: number; body: string }) => qwen.mapError(e.status, e.body, undefined);
    assert.equal(map(ERRORS.arrearage).code, 'upstream_quota_error');
    assert.equal(map(ERRORS.invalidKey).code, 'upstream_auth_error');
    assert.equal(map(ERRORS.inputLength).code, 'context_length_exceeded');
    const inspection = map(ERRORS.inspection);
    assert.deepEqual([inspection.code, inspection.message], ['invalid_request', 'Input data may contain inappropriate content.']);
  });
});
