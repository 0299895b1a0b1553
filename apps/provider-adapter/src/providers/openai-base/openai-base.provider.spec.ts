import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { TfError } from '@tokenflow/contracts';
import { attemptFor, sent } from '../../../test/providers/attempt.testing';
import { replay, sseOf } from '../../../test/providers/fixture-replay';
import { openAiCompatible } from './openai-base.provider';

const generic = openAiCompatible({ id: 'openai-compatible', embeddingsPath: '/embeddings', completionsPath: '/completions' });
const attempt = attemptFor('openai-compatible', 'local-model', 'http://vllm.internal:8000/v1');

function thrown(fn: () => unknown): TfError {
  try {
    fn();
  } catch (err) {
    return err as TfError;
  }
  assert.fail('expected an error');
}

describe('openAiCompatible (the shared OpenAI wire format)', () => {
  it('passes every client field through, maps the model, forces streaming with usage, and leaves the caller\'s body alone', () => {
    const body = { model: 'ours', messages: [{ role: 'user', content: 'hi' }], stream: false, stream_options: { include_usage: false }, seed: 7, custom_field: { a: 1 } };
    const copy = structuredClone(body);
    const req = generic.chat.buildRequest(attempt, body);
    assert.equal(req.url, 'http://vllm.internal:8000/v1/chat/completions');
    assert.deepEqual(req.headers, { authorization: 'Bearer sk-upstream-secret-0123456789', 'content-type': 'application/json', accept: 'text/event-stream' });
    assert.deepEqual(sent(req), { ...copy, model: 'local-model', stream: true, stream_options: { include_usage: true } });
    assert.deepEqual(body, copy);
  });

  it('omits stream_options for upstreams that reject it', () => {
    const legacy = openAiCompatible({ id: 'openai-compatible', streamUsageOption: false });
    assert.equal('stream_options' in sent(legacy.chat.buildRequest(attempt, { messages: [], stream_options: { include_usage: true } })), false);
  });

  it('decodes [DONE], forwards chunks without usage, and never forwards a usage-only chunk', () => {
    const chunk = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', system_fingerprint: 'fp', choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }], usage: null };
    const out = replay(generic.chat.createDecoder(), sseOf(chunk, { id: 'c', choices: [], usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 } }, '[DONE]'));
    const { usage: _omit, ...expected } = chunk;
    assert.deepEqual(out, { chunks: [expected], usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 }, done: true });
  });

  it('refuses best_of > 1 for legacy completions (they are streamed upstream, and best_of cannot be)', () => {
    assert.equal(thrown(() => generic.completions!.buildRequest(attempt, { prompt: 'x', best_of: 3 })).param, 'best_of');
    assert.equal(sent(generic.completions!.buildRequest(attempt, { prompt: 'x', best_of: 1 })).best_of, 1);
  });

  it('streams legacy text_completion chunks through unchanged', () => {
    const chunk = { id: 'cmpl-1', object: 'text_completion', created: 1, model: 'gpt-3.5-turbo-instruct', choices: [{ text: 'This is', index: 0, logprobs: null, finish_reason: null }] };
    const out = replay(generic.completions!.createDecoder(), sseOf(chunk, '[DONE]'));
    assert.deepEqual(out.chunks, [chunk]);
  });

  it('refuses a malformed chunk as retryable, and judges an error object mid-stream by the shared rules', () => {
    const bad = thrown(() => generic.chat.createDecoder().decode('{"id": "c", "choices": [', undefined));
    assert.deepEqual([bad.code, bad.retryable], ['upstream_error', true]);
    const mid = thrown(() => generic.chat.createDecoder().decode(JSON.stringify({ error: { message: 'overloaded at https://internal.example/x with sk-abcdefghijkl1234', type: 'server_error' } }), undefined));
    assert.equal(mid.code, 'upstream_error');
    assert.doesNotMatch(mid.message, /internal\.example|sk-abcdefghijkl1234/);
    const context = thrown(() => generic.chat.createDecoder().decode(JSON.stringify({ error: { message: 'x', code: 'context_length_exceeded' } }), undefined));
    assert.equal(context.code, 'context_length_exceeded');
  });

  it('refuses an embeddings response without data rather than passing garbage on', () => {
    assert.equal(thrown(() => generic.embeddings!.parseResponse('{"object":"list"}')).code, 'upstream_error');
    assert.equal(thrown(() => generic.embeddings!.parseResponse('<html>')).code, 'upstream_error');
  });
});
