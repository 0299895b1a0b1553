import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { attemptFor, sent } from '../../../test/providers/attempt.testing';
import { replay, sseOf } from '../../../test/providers/fixture-replay';
import { provider as deepseek } from './index';
import { CHAT_CACHE_HIT_USAGE, ERRORS, REASONER_STREAM } from '../../../test/providers/deepseek/deepseek.fixtures';

describe('deepseek provider', () => {
  it('posts to api.deepseek.com by default, sends the planned upstream model, and forces streaming with usage', () => {
    const req = deepseek.chat.buildRequest(attemptFor('deepseek', 'deepseek-chat'), { model: 'deepseek-v3', messages: [{ role: 'user', content: 'hi' }], stream: false });
    assert.equal(req.url, 'https://api.deepseek.com/chat/completions');
    assert.equal(req.headers.authorization, 'Bearer sk-upstream-secret-0123456789');
    assert.deepEqual(sent(req), { model: 'deepseek-chat', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    // The router's one mapping step already ran (deepseek-r1 → deepseek-reasoner there): no second renaming here.
    assert.equal(sent(deepseek.chat.buildRequest(attemptFor('deepseek', 'deepseek-r1', 'https://proxy.example/v1'), { messages: [] })).model, 'deepseek-r1');
    assert.equal(deepseek.chat.buildRequest(attemptFor('deepseek', 'x', 'https://proxy.example/v1/'), { messages: [] }).url, 'https://proxy.example/v1/chat/completions');
  });

  it('applies DeepSeek\'s parameter rules: max_tokens capped, reasoner sampling and logprobs dropped, reasoning_content removed from history', () => {
    const body = {
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a', reasoning_content: 'thought' },
        { role: 'user', content: 'q2' },
      ],
      max_completion_tokens: 100_000,
      temperature: 0.2,
      top_p: 0.5,
      presence_penalty: 1,
      frequency_penalty: 1,
      logprobs: true,
      top_logprobs: 3,
      n: 1,
    };
    const reasoner = sent(deepseek.chat.buildRequest(attemptFor('deepseek', 'deepseek-reasoner'), body));
    assert.deepEqual(reasoner, {
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
        { role: 'user', content: 'q2' },
      ],
      max_tokens: 65_536,
      model: 'deepseek-reasoner',
      stream: true,
      stream_options: { include_usage: true },
    });
    const chat = sent(deepseek.chat.buildRequest(attemptFor('deepseek', 'deepseek-chat'), body));
    assert.deepEqual([chat.max_tokens, chat.temperature, chat.logprobs], [8_192, 0.2, true]);
    assert.equal(body.messages[1].reasoning_content, 'thought', 'the caller\'s body is not modified');
    assert.throws(() => deepseek.chat.buildRequest(attemptFor('deepseek', 'deepseek-chat'), { messages: [], n: 2 }), (e: TfError) => e.code === 'invalid_request' && e.param === 'n');
    // An Anthropic-format client's thinking becomes DeepSeek's switch; its top_k has no DeepSeek meaning.
    const anthropicish = sent(deepseek.chat.buildRequest(attemptFor('deepseek', 'deepseek-chat'), { messages: [], thinking: { type: 'adaptive' }, top_k: 5 }));
    assert.deepEqual([anthropicish.thinking, 'top_k' in anthropicish], [{ type: 'enabled' }, false]);
  });

  it('json_schema (DeepSeek documents only json_object) goes as json_object with the schema as a system instruction', () => {
    const schema = { type: 'object', properties: { temp_c: { type: 'number' } } };
    const body = sent(
      deepseek.chat.buildRequest(attemptFor('deepseek', 'deepseek-chat'), {
        messages: [{ role: 'user', content: 'Paris weather' }],
        response_format: { type: 'json_schema', json_schema: { name: 'weather', schema } },
      }),
    );
    assert.deepEqual(body.response_format, { type: 'json_object' });
    const [instruction, user] = body.messages as { role: string; content: string }[];
    assert.equal(instruction.role, 'system');
    // DeepSeek's JSON mode wants the word "json" in the prompt; the instruction carries it and the schema.
    assert.ok(/json/i.test(instruction.content) && instruction.content.includes(JSON.stringify(schema)));
    assert.deepEqual(user, { role: 'user', content: 'Paris weather' });
  });

  it('streams reasoning_content then content, skips keep-alives, and takes the cache-hit split and reasoning tokens as usage', () => {
    const out = replay(deepseek.chat.createDecoder(), REASONER_STREAM);
    assert.equal(out.done, true);
    const deltas = out.chunks.map((c) => (c.choices as { delta: Record<string, unknown> }[])[0].delta);
    assert.deepEqual(deltas.map((d) => [d.reasoning_content ?? null, d.content ?? null]), [['', null], ['9.11 vs 9.8', null], [null, '9.8 is greater.'], [null, '']]);
    assert.ok(out.chunks.every((c) => !('usage' in c)));
    assert.deepEqual(out.usage, { prompt_tokens: 17, completion_tokens: 120, total_tokens: 137, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 112 } });
    const hit = replay(deepseek.chat.createDecoder(), sseOf({ id: 'c', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: CHAT_CACHE_HIT_USAGE }, '[DONE]'));
    assert.deepEqual(hit.usage, { prompt_tokens: 1280, completion_tokens: 20, total_tokens: 1300, prompt_tokens_details: { cached_tokens: 1024 } });
  });

  it('maps DeepSeek\'s errors: 402 out of credit, 401 bad key, context length, 422 parameters, 503 overloaded', () => {
    const map = (e: { status: number; body: string }) => deepseek.mapError(e.status, e.body, undefined);
    assert.equal(map(ERRORS.insufficientBalance).code, 'upstream_quota_error');
    const auth = map(ERRORS.authentication);
    assert.equal(auth.code, 'upstream_auth_error');
    assert.doesNotMatch(auth.message, /abcd/);
    assert.equal(map(ERRORS.context).code, 'context_length_exceeded');
    const params = map(ERRORS.invalidParameters);
    assert.deepEqual([params.code, params.status, params.message], ['invalid_request', 400, 'Invalid max_tokens value, the valid range of max_tokens is [1, 8192]']);
    assert.deepEqual([map(ERRORS.overloaded).code, map(ERRORS.overloaded).retryable], ['upstream_error', true]);
  });

  it('offers FIM completions at /beta/completions and no embeddings', () => {
    assert.equal(deepseek.embeddings, undefined);
    const req = deepseek.completions!.buildRequest(attemptFor('deepseek', 'deepseek-chat'), { model: 'deepseek-chat', prompt: 'def f(', suffix: 'return 1', max_tokens: 16 });
    assert.equal(req.url, 'https://api.deepseek.com/beta/completions');
    assert.equal(deepseek.completions!.buildRequest(attemptFor('deepseek', 'deepseek-chat', 'https://api.deepseek.com/v1'), { prompt: 'x' }).url, 'https://api.deepseek.com/beta/completions');
    assert.deepEqual(sent(req), { model: 'deepseek-chat', prompt: 'def f(', suffix: 'return 1', max_tokens: 16, stream: true, stream_options: { include_usage: true } });
  });
});
