import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { attemptFor, sent } from '../../test/providers/attempt.testing';
import { replay, sseOf } from '../../test/providers/fixture-replay';
import { STREAM_WITH_USAGE_IN_CHOICE } from '../../test/providers/moonshot/moonshot.fixtures';
import { TEXT_STREAM as ZHIPU_TEXT_STREAM } from '../../test/providers/zhipu/zhipu.fixtures';
import { chatBodyOf } from './completions-via-chat';
import type { CompletionsCapability } from './provider';
import { capability, providerFor } from './provider.registry';

const completionsOf = (provider: Parameters<typeof providerFor>[0], model: string) => capability(providerFor(provider), 'completions', model) as CompletionsCapability;

describe('legacy completions through chat (regression: 502 "HTTP 404" on deepseek-v3 completions, issue 15)', () => {
  it('uses the native endpoint only for the models it serves, chat for the rest', () => {
    const fim = completionsOf('deepseek', 'deepseek-chat').buildRequest(attemptFor('deepseek', 'deepseek-chat'), { prompt: 'def f(', max_tokens: 16 });
    assert.equal(fim.url, 'https://api.deepseek.com/beta/completions');
    const reasoner = completionsOf('deepseek', 'deepseek-reasoner').buildRequest(attemptFor('deepseek', 'deepseek-reasoner'), { prompt: 'hi', max_tokens: 16 });
    assert.equal(reasoner.url, 'https://api.deepseek.com/chat/completions');
    assert.equal(completionsOf('openai', 'gpt-3.5-turbo-instruct').buildRequest(attemptFor('openai', 'gpt-3.5-turbo-instruct'), { prompt: 'x' }).url, 'https://api.openai.com/v1/completions');
    assert.equal(completionsOf('openai', 'gpt-4o').buildRequest(attemptFor('openai', 'gpt-4o'), { prompt: 'x' }).url, 'https://api.openai.com/v1/chat/completions');
    assert.equal(completionsOf('qwen', 'qwen-max').buildRequest(attemptFor('qwen', 'qwen-max'), { prompt: 'x' }).url, 'https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions');
    assert.equal(completionsOf('qwen', 'qwen2.5-coder-7b-instruct').buildRequest(attemptFor('qwen', 'qwen2.5-coder-7b-instruct'), { prompt: 'x' }).url, 'https://dashscope.aliyuncs.com/compatible-mode/v1/completions');
    for (const [p, m] of [['moonshot', 'kimi-k2-turbo-preview'], ['zhipu', 'glm-4-plus'], ['anthropic', 'claude-sonnet-4-5']] as const) {
      assert.ok(completionsOf(p, m).buildRequest(attemptFor(p, m), { prompt: 'x', max_tokens: 8 }).url.match(/chat\/completions|messages/), p);
    }
  });

  it('sends the prompt as one user message with the parameters chat shares, through the provider\'s own rules (Moonshot drops n: 1)', () => {
    const body = { model: 'deepseek-r1', prompt: 'Say this is a test', max_tokens: 20, temperature: 0.5, stop: ['\n'], n: 1, seed: 3, user: 'u', logprobs: null, suffix: null, echo: false, stream: true, stream_options: { include_usage: true } };
    const req = sent(completionsOf('moonshot', 'kimi-k2-turbo-preview').buildRequest(attemptFor('moonshot', 'kimi-k2-turbo-preview'), body));
    assert.deepEqual(req, {
      messages: [{ role: 'user', content: 'Say this is a test' }],
      max_tokens: 20,
      temperature: 0.5,
      stop: ['\n'],
      seed: 3,
      user: 'u',
      model: 'kimi-k2-turbo-preview',
      stream: true,
      stream_options: { include_usage: true },
    });
    assert.deepEqual(chatBodyOf({ prompt: ['one'], logprobs: 2 }, 'm'), { messages: [{ role: 'user', content: 'one' }], logprobs: true, top_logprobs: 2 });
  });

  it('refuses what chat cannot say as the caller\'s 400 naming the model', () => {
    for (const [body, param] of [
      [{ prompt: ['a', 'b'] }, 'prompt'],
      [{ prompt: [1, 2, 3] }, 'prompt'],
      [{ prompt: 'a', suffix: 'z' }, 'suffix'],
      [{ prompt: 'a', echo: true }, 'echo'],
      [{ prompt: 'a', best_of: 2 }, 'best_of'],
    ] as const) {
      assert.throws(
        () => chatBodyOf(body, 'glm-4-plus'),
        (e: unknown) => e instanceof TfError && e.code === 'invalid_request' && e.param === param && e.message.includes("'glm-4-plus'"),
        param,
      );
    }
  });

  it('answers in text_completion chunks with choices[].text, usage and the end passing through (Moonshot wire)', () => {
    const out = replay(completionsOf('moonshot', 'kimi-k2').createDecoder(), STREAM_WITH_USAGE_IN_CHOICE);
    assert.equal(out.done, true);
    assert.ok(out.usage && out.usage.completion_tokens > 0);
    assert.ok(out.chunks.length > 0);
    for (const c of out.chunks) {
      assert.equal(c.object, 'text_completion');
      assert.ok(!('system_fingerprint' in c));
      for (const choice of c.choices as Record<string, unknown>[]) {
        assert.deepEqual(Object.keys(choice).sort(), ['finish_reason', 'index', 'logprobs', 'text']);
        assert.ok(!('delta' in choice));
      }
    }
    const text = out.chunks.flatMap((c) => (c.choices as { text: string }[]).map((x) => x.text)).join('');
    assert.ok(text.startsWith('你好'), text);
    assert.equal((out.chunks.at(-1)!.choices as { finish_reason: string }[])[0].finish_reason, 'stop');
  });

  it('answers in text_completion chunks on the Zhipu wire too', () => {
    const out = replay(completionsOf('zhipu', 'glm-4-plus').createDecoder(), ZHIPU_TEXT_STREAM);
    assert.ok(out.chunks.length > 0 && out.chunks.every((c) => c.object === 'text_completion'));
    assert.ok((out.chunks.flatMap((c) => c.choices) as { text: string }[]).some((c) => c.text.length > 0));
  });

  it('skips reasoning-only chunks, maps finish reasons and converts logprobs to the legacy lists', () => {
    const decoder = completionsOf('deepseek', 'deepseek-reasoner').createDecoder();
    const base = { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'deepseek-reasoner' };
    const out = replay(
      decoder,
      sseOf(
        { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: null, reasoning_content: 'thinking' }, finish_reason: null }] },
        {
          ...base,
          choices: [
            {
              index: 0,
              delta: { content: 'Hi there' },
              logprobs: { content: [{ token: 'Hi', logprob: -0.1, top_logprobs: [{ token: 'Hi', logprob: -0.1 }] }, { token: ' there', logprob: -0.2, top_logprobs: [] }] },
              finish_reason: null,
            },
          ],
        },
        { ...base, choices: [{ index: 0, delta: { content: '' }, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } },
        '[DONE]',
      ),
    );
    assert.equal(out.chunks.length, 2);
    assert.deepEqual(out.chunks[0].choices, [
      { index: 0, text: 'Hi there', logprobs: { tokens: ['Hi', ' there'], token_logprobs: [-0.1, -0.2], top_logprobs: [{ Hi: -0.1 }, {}], text_offset: [0, 2] }, finish_reason: null },
    ]);
    assert.deepEqual(out.chunks[1].choices, [{ index: 0, text: '', logprobs: null, finish_reason: 'stop' }]);
    assert.equal(out.usage?.total_tokens, 7);
    assert.equal(out.done, true);
  });
});
