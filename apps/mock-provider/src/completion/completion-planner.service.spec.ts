import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { ChatRequest } from '../chat/chat-request';
import { CompletionPlannerService, DEFAULT_COMPLETION_TOKENS, isReasoningModel, REASONING_TOKENS } from './completion-planner.service';

const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'gpt-4o',
  messages: [{ role: 'user', content }],
  ...extra,
});

describe('CompletionPlannerService', () => {
  const planner = new CompletionPlannerService();

  it('writes 16 tokens by default, one word each, and stops', () => {
    const plan = planner.plan(ask('hello'), 'gpt-4o', {});
    assert.equal(plan.content.length, DEFAULT_COMPLETION_TOKENS);
    assert.ok(plan.content.slice(0, -1).every((t) => /^[a-z]+ $/.test(t)));
    assert.match(plan.content.at(-1)!, /^[a-z]+$/);
    assert.equal(plan.finishReason, 'stop');
    assert.equal(plan.usage.completion_tokens, 16);
    assert.equal(plan.usage.total_tokens, plan.usage.prompt_tokens + 16);
  });

  it('is deterministic in the last user message and varies with it', () => {
    const a = planner.plan(ask('tell me a story'), 'gpt-4o', {});
    const b = planner.plan(ask('tell me a story'), 'gpt-4o', {});
    const c = planner.plan(ask('tell me a joke'), 'gpt-4o', {});
    assert.deepEqual(a.content, b.content);
    assert.notDeepEqual(a.content, c.content);
    assert.notEqual(a.id, b.id);
  });

  it('stops at the client cap with finish_reason length', () => {
    const capped = planner.plan(ask('x', { max_tokens: 5 }), 'gpt-4o', {});
    assert.equal(capped.content.length, 5);
    assert.equal(capped.finishReason, 'length');
    const preferred = planner.plan(ask('x', { max_tokens: 50, max_completion_tokens: 3 }), 'gpt-4o', {});
    assert.equal(preferred.content.length, 3);
  });

  it('uses the tokens directive as the natural length, still capped by the client', () => {
    assert.equal(planner.plan(ask('x'), 'gpt-4o', { tokens: 40 }).content.length, 40);
    const roomy = planner.plan(ask('x', { max_tokens: 100 }), 'gpt-4o', { tokens: 40 });
    assert.equal(roomy.finishReason, 'stop');
    const capped = planner.plan(ask('x', { max_tokens: 10 }), 'gpt-4o', { tokens: 40 });
    assert.deepEqual([capped.content.length, capped.finishReason], [10, 'length']);
  });

  it('multiplies completion tokens by n', () => {
    const plan = planner.plan(ask('x', { n: 3, max_tokens: 4 }), 'gpt-4o', {});
    assert.equal(plan.n, 3);
    assert.equal(plan.usage.completion_tokens, 12);
  });

  it('thinks first on a reasoning model and counts the reasoning tokens', () => {
    assert.ok(isReasoningModel('deepseek-reasoner') && isReasoningModel('deepseek-r1') && !isReasoningModel('gpt-4o'));
    const plan = planner.plan(ask('why?'), 'deepseek-reasoner', {});
    assert.equal(plan.reasoning.length, REASONING_TOKENS);
    assert.equal(plan.usage.completion_tokens, REASONING_TOKENS + DEFAULT_COMPLETION_TOKENS);
    assert.equal(plan.usage.completion_tokens_details.reasoning_tokens, REASONING_TOKENS);
  });

  it('answers with tool calls instead of content when tools are offered', () => {
    const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { properties: { q: { type: 'string' } } } } }];
    const plan = planner.plan(ask('x', { tools }), 'gpt-4o', {});
    assert.deepEqual(plan.content, []);
    assert.equal(plan.finishReason, 'tool_calls');
    assert.equal(plan.toolCalls.length, 1);
    assert.equal(plan.toolCalls[0].arguments, '{"q":"mock"}');
    assert.match(plan.toolCalls[0].id, /^call_[0-9a-f]{24}$/);
    assert.equal(plan.usage.completion_tokens, Math.ceil(12 / 4) + 5);
  });

  it('reports cached prompt tokens, never more than the prompt has', () => {
    assert.equal(planner.plan(ask('hello'), 'gpt-4o', { cachedTokens: 3 }).usage.prompt_tokens_details.cached_tokens, 3);
    const capped = planner.plan(ask('hello'), 'gpt-4o', { cachedTokens: 1000 });
    assert.equal(capped.usage.prompt_tokens_details.cached_tokens, capped.usage.prompt_tokens);
  });

  describe('planFrom', () => {
    const input = { seedText: 'tell me', promptTokens: 20, n: 1, tools: [], reasoning: false };

    it('seeds the words from the seed text, like plan does from the last user message', () => {
      assert.deepEqual(planner.planFrom(input, 'm', {}).content, planner.plan(ask('tell me'), 'm', {}).content);
      assert.equal(planner.planFrom(input, 'm', {}).usage.prompt_tokens, 20);
    });

    it('cuts the content at a stop sequence, finishing with stop and billing the tokens it took', () => {
      const full = planner.planFrom({ ...input, maxTokens: 5 }, 'm', {}).content;
      // Two words (the 2nd and 3rd) cannot hide inside the first one: the cut comes right after it.
      const stop = `${full[1]}${full[2].trim()}`;
      const plan = planner.planFrom({ ...input, maxTokens: 5, stopSequences: [stop] }, 'm', {});
      assert.equal(plan.finishReason, 'stop');
      assert.equal(plan.stopSequence, stop);
      assert.deepEqual(plan.content, full.slice(0, 1));
      assert.equal(plan.usage.completion_tokens, 3);
      assert.equal(planner.planFrom(input, 'm', {}).stopSequence, undefined);
    });

    it('uses the given id prefixes and thinks only when asked', () => {
      const plan = planner.planFrom(
        { ...input, reasoning: true, tools: [{ name: 'f' }], idPrefix: 'msg_', toolCallIdPrefix: 'toolu_' },
        'm',
        {},
      );
      assert.match(plan.id, /^msg_[0-9a-f]{24}$/);
      assert.match(plan.toolCalls[0].id, /^toolu_[0-9a-f]{24}$/);
      assert.equal(plan.reasoning.length, REASONING_TOKENS);
      assert.equal(plan.finishReason, 'tool_calls');
    });
  });
});
