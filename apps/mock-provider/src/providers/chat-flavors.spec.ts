import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { ChatRenderOptions } from '../chat/chat-flavor';
import type { ChatRequest } from '../chat/chat-request';
import type { CompletionPlan } from '../completion/completion-plan';
import { ProviderError } from '../http/provider-error';
import type { SseFrame } from '../stream/sse-frame';
import { DEEPSEEK_CHAT } from './deepseek/deepseek-chat.flavor';
import { MOONSHOT_CHAT } from './moonshot/moonshot-chat.flavor';
import { OPENAI_CHAT } from './openai/openai-chat.flavor';
import { QWEN_CHAT } from './qwen/qwen-chat.flavor';
import { ZHIPU_CHAT } from './zhipu/zhipu-chat.flavor';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const plan = (overrides: Partial<CompletionPlan> = {}): CompletionPlan => ({
  id: 'chatcmpl-test',
  created: 1_700_000_000,
  model: 'm',
  n: 1,
  reasoning: [],
  content: ['hello ', 'world'],
  toolCalls: [],
  finishReason: 'stop',
  usage: {
    prompt_tokens: 10,
    completion_tokens: 2,
    total_tokens: 12,
    prompt_tokens_details: { cached_tokens: 4 },
    completion_tokens_details: { reasoning_tokens: 0 },
  },
  ...overrides,
});

const toolPlan = () =>
  plan({
    content: [],
    finishReason: 'tool_calls',
    toolCalls: [
      { id: 'call_1', name: 'get_weather', arguments: '{"city":"mock","days":42}' },
      { id: 'call_2', name: 'get_time', arguments: '{}' },
    ],
  });

const USAGE_ASKED: ChatRenderOptions = { includeUsage: true, usageRequested: true };
const USAGE_NOT_ASKED: ChatRenderOptions = { includeUsage: true, usageRequested: false };
const NO_USAGE: ChatRenderOptions = { includeUsage: false, usageRequested: true };

function chunks(frames: SseFrame[]): Json[] {
  return frames.map((frame) => {
    assert.match(frame.text, /^data: .*\n\n$/s);
    return JSON.parse(frame.text.slice('data: '.length)) as Json;
  });
}

describe('OpenAI-compatible chat flavors', () => {
  describe('DeepSeek', () => {
    const expectedUsage = {
      prompt_tokens: 10,
      completion_tokens: 2,
      total_tokens: 12,
      prompt_tokens_details: { cached_tokens: 4 },
      prompt_cache_hit_tokens: 4,
      prompt_cache_miss_tokens: 6,
      completion_tokens_details: { reasoning_tokens: 0 },
    };

    it('puts the usage on the finish chunk, with or without include_usage, and sends no usage-only chunk', () => {
      for (const options of [USAGE_ASKED, USAGE_NOT_ASKED]) {
        const all = chunks(DEEPSEEK_CHAT.frames(plan(), options));
        assert.equal(all.length, 4);
        assert.ok(all.every((c) => c.choices.length === 1));
        const last = all.at(-1)!;
        assert.equal(last.choices[0].finish_reason, 'stop');
        assert.deepEqual(last.usage, expectedUsage);
      }
    });

    it('sends usage null on the other chunks only when include_usage was asked', () => {
      assert.ok(chunks(DEEPSEEK_CHAT.frames(plan(), USAGE_ASKED)).slice(0, -1).every((c) => c.usage === null));
      assert.ok(chunks(DEEPSEEK_CHAT.frames(plan(), USAGE_NOT_ASKED)).slice(0, -1).every((c) => !('usage' in c)));
      assert.ok(chunks(DEEPSEEK_CHAT.frames(plan(), NO_USAGE)).every((c) => !('usage' in c)));
    });

    it('reports cache hits and misses in a plain response too', () => {
      assert.deepEqual((DEEPSEEK_CHAT.completion(plan(), USAGE_ASKED) as Json).usage, expectedUsage);
      assert.ok(!('usage' in (DEEPSEEK_CHAT.completion(plan(), NO_USAGE) as Json)));
    });

    it('idles with SSE keep-alive comments', () => {
      assert.equal(DEEPSEEK_CHAT.sse.keepAlive, ': keep-alive\n\n');
      assert.equal(OPENAI_CHAT.sse.keepAlive, undefined);
    });
  });

  describe('Moonshot', () => {
    it('puts the usage inside the last choice, never at the top level nor in a choice-less chunk', () => {
      for (const options of [USAGE_ASKED, USAGE_NOT_ASKED]) {
        const all = chunks(MOONSHOT_CHAT.frames(plan(), options));
        assert.equal(all.length, 4);
        assert.ok(all.every((c) => c.choices.length === 1 && !('usage' in c)));
        assert.deepEqual(all.at(-1)!.choices[0], {
          index: 0,
          delta: {},
          finish_reason: 'stop',
          usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, cached_tokens: 4 },
        });
        assert.ok(all.slice(0, -1).every((c) => !('usage' in c.choices[0])));
      }
    });

    it('sends neither system_fingerprint nor logprobs', () => {
      for (const chunk of chunks(MOONSHOT_CHAT.frames(plan(), USAGE_ASKED))) {
        assert.ok(!('system_fingerprint' in chunk) && !('logprobs' in chunk.choices[0]));
      }
      const body = MOONSHOT_CHAT.completion(plan(), USAGE_ASKED) as Json;
      assert.deepEqual(body.choices[0], { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'hello world' } });
      assert.deepEqual(body.usage, { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, cached_tokens: 4 });
    });

    it('omits the usage everywhere under usage=none', () => {
      assert.ok(!('usage' in chunks(MOONSHOT_CHAT.frames(plan(), NO_USAGE)).at(-1)!.choices[0]));
    });
  });

  describe('Qwen (DashScope compatible mode)', () => {
    it('sends a choice-less usage chunk only with include_usage, and system_fingerprint null', () => {
      const asked = chunks(QWEN_CHAT.frames(plan(), USAGE_ASKED));
      assert.deepEqual(asked.at(-1)!.choices, []);
      assert.equal(asked.at(-1)!.usage.prompt_tokens, 10);
      assert.ok(asked.every((c) => c.system_fingerprint === null));
      assert.ok(chunks(QWEN_CHAT.frames(plan(), USAGE_NOT_ASKED)).every((c) => c.choices.length === 1 && !('usage' in c)));
      assert.equal((QWEN_CHAT.completion(plan(), USAGE_ASKED) as Json).system_fingerprint, null);
    });

    it('thinks with enable_thinking, and refuses it outside a stream', () => {
      const request = (extra: Json) => ({ model: 'qwen-plus', messages: [{ role: 'user', content: 'x' }], ...extra }) as ChatRequest;
      assert.equal(QWEN_CHAT.reasons!(request({ enable_thinking: true, stream: true }), 'qwen-plus'), true);
      assert.equal(QWEN_CHAT.reasons!(request({}), 'qwen-plus'), false);
      assert.doesNotThrow(() => QWEN_CHAT.check!(request({ enable_thinking: true, stream: true })));
      try {
        QWEN_CHAT.check!(request({ enable_thinking: true }));
        assert.fail('expected a 400');
      } catch (err) {
        assert.ok(err instanceof ProviderError);
        assert.equal(err.status, 400);
        assert.match((err.body() as Json).error.message, /enable_thinking must be set to false for non-streaming calls/);
      }
    });
  });

  describe('Zhipu', () => {
    it('streams deltas that all carry the role, with no object field and no opening role chunk', () => {
      const all = chunks(ZHIPU_CHAT.frames(plan({ reasoning: ['hmm'] }), USAGE_NOT_ASKED));
      assert.deepEqual(
        all.map((c) => c.choices[0].delta),
        [
          { role: 'assistant', reasoning_content: 'hmm' },
          { role: 'assistant', content: 'hello ' },
          { role: 'assistant', content: 'world' },
          { role: 'assistant', content: '' },
        ],
      );
      assert.ok(all.every((c) => !('object' in c) && c.id === 'chatcmpl-test'));
    });

    it('puts the usage in the final chunk, with the finish reason, whatever stream_options says', () => {
      const last = chunks(ZHIPU_CHAT.frames(plan(), USAGE_NOT_ASKED)).at(-1)!;
      assert.equal(last.choices[0].finish_reason, 'stop');
      assert.deepEqual(last.usage, { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, prompt_tokens_details: { cached_tokens: 4 } });
      assert.ok(!('usage' in chunks(ZHIPU_CHAT.frames(plan(), NO_USAGE)).at(-1)!));
    });

    it('sends all tool calls whole, with complete arguments, in one chunk', () => {
      const all = chunks(ZHIPU_CHAT.frames(toolPlan(), USAGE_ASKED));
      assert.equal(all.length, 2);
      assert.deepEqual(all[0].choices[0].delta.tool_calls, [
        { id: 'call_1', index: 0, type: 'function', function: { name: 'get_weather', arguments: '{"city":"mock","days":42}' } },
        { id: 'call_2', index: 1, type: 'function', function: { name: 'get_time', arguments: '{}' } },
      ]);
      assert.equal(all[1].choices[0].finish_reason, 'tool_calls');
      // The one tool-call chunk is the only content chunk that pacing and fail-after count.
      assert.deepEqual(
        ZHIPU_CHAT.frames(toolPlan(), USAGE_ASKED).map((f) => f.role),
        ['token', 'tail'],
      );
    });

    it('answers plainly with a request_id and the message', () => {
      const body = ZHIPU_CHAT.completion(plan(), USAGE_ASKED) as Json;
      assert.deepEqual(Object.keys(body).sort(), ['choices', 'created', 'id', 'model', 'request_id', 'usage']);
      assert.deepEqual(body.choices[0], { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'hello world' } });
    });
  });

  it('OpenAI streams fragments where Zhipu sends whole tool calls', () => {
    const fragmentsSent = chunks(OPENAI_CHAT.frames(toolPlan(), USAGE_ASKED)).filter((c) => c.choices[0]?.delta?.tool_calls);
    assert.ok(fragmentsSent.length > 2);
  });
});
