import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { RICH_ANTHROPIC_BODY, RICH_MODEL, richOpenAiBody } from '../../../test/providers/anthropic/chat-request.fixtures';
import { jsonInstruction } from '../json-instruction';
import { toAnthropicRequest } from './chat-request.transform';

const LEGACY = RICH_MODEL; // 3.7: sampling as sent, thinking by budget
const hi = [{ role: 'user', content: 'hi' }];
const HI = [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }];

function thrown(fn: () => unknown): TfError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TfError, `expected TfError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a TfError');
}

describe('toAnthropicRequest: the whole body', () => {
  it('translates a rich conversation exactly (systems, images, tools, results, merging, stop, clamping, drops)', () => {
    assert.deepEqual(toAnthropicRequest(richOpenAiBody(), RICH_MODEL), RICH_ANTHROPIC_BODY);
  });

  it('leaves the caller body untouched', () => {
    const body = richOpenAiBody();
    toAnthropicRequest(body, RICH_MODEL);
    assert.deepEqual(body, richOpenAiBody());
  });

  it('fills in only what Anthropic requires for a minimal body: max_tokens 4096, streaming', () => {
    assert.deepEqual(toAnthropicRequest({ model: 'x', messages: hi }, LEGACY), { model: LEGACY, max_tokens: 4096, messages: HI, stream: true });
  });

  it('takes max_completion_tokens over max_tokens', () => {
    assert.equal(toAnthropicRequest({ messages: hi, max_tokens: 100 }, LEGACY).max_tokens, 100);
    assert.equal(toAnthropicRequest({ messages: hi, max_tokens: 100, max_completion_tokens: 300 }, LEGACY).max_tokens, 300);
  });

  it('forwards no OpenAI-only or unknown field', () => {
    const sent = toAnthropicRequest(
      { messages: hi, foo: 1, enable_thinking: true, functions: [], modalities: ['text'], prediction: {}, audio: {}, web_search_options: {} },
      LEGACY,
    );
    assert.deepEqual(Object.keys(sent).sort(), ['max_tokens', 'messages', 'model', 'stream']);
  });

  it('rejects n > 1 with a clear invalid_request on param n, and accepts n = 1', () => {
    const err = thrown(() => toAnthropicRequest({ messages: hi, n: 2 }, LEGACY));
    assert.equal(err.code, 'invalid_request');
    assert.equal(err.status, 400);
    assert.equal(err.param, 'n');
    assert.match(err.message, /does not support n > 1/);
    assert.equal(toAnthropicRequest({ messages: hi, n: 1 }, LEGACY).stream, true);
  });

  it('sets metadata.user_id from user, and only when there is one', () => {
    assert.deepEqual(toAnthropicRequest({ messages: hi, user: 'u-1' }, LEGACY).metadata, { user_id: 'u-1' });
    assert.equal('metadata' in toAnthropicRequest({ messages: hi, user: '' }, LEGACY), false);
  });
});

describe('toAnthropicRequest: tools and stop', () => {
  const tools = [{ type: 'function', function: { name: 'f', parameters: { properties: { a: { type: 'number' } } } } }];
  const choice = (tool_choice: unknown, parallel_tool_calls?: boolean) =>
    toAnthropicRequest({ messages: hi, tools, tool_choice, parallel_tool_calls }, LEGACY).tool_choice;

  it('gives a parameters schema its object type when it lacks one', () => {
    assert.deepEqual(toAnthropicRequest({ messages: hi, tools }, LEGACY).tools, [
      { name: 'f', input_schema: { type: 'object', properties: { a: { type: 'number' } } } },
    ]);
  });

  it('maps every tool_choice', () => {
    assert.deepEqual(choice('auto'), { type: 'auto' });
    assert.deepEqual(choice('required'), { type: 'any' });
    assert.deepEqual(choice('none'), { type: 'none' });
    assert.deepEqual(choice({ type: 'function', function: { name: 'f' } }), { type: 'tool', name: 'f' });
    assert.equal(choice(undefined), undefined);
  });

  it('turns parallel_tool_calls:false into disable_parallel_tool_use, except on none', () => {
    assert.deepEqual(choice('required', false), { type: 'any', disable_parallel_tool_use: true });
    assert.deepEqual(choice({ type: 'function', function: { name: 'f' } }, false), { type: 'tool', name: 'f', disable_parallel_tool_use: true });
    assert.deepEqual(choice(undefined, false), { type: 'auto', disable_parallel_tool_use: true });
    assert.deepEqual(choice('none', false), { type: 'none' });
    assert.deepEqual(choice('auto', true), { type: 'auto' });
  });

  it('sends no tool_choice without tools', () => {
    const sent = toAnthropicRequest({ messages: hi, tool_choice: 'required', parallel_tool_calls: false }, LEGACY);
    assert.equal('tool_choice' in sent, false);
    assert.equal('tools' in sent, false);
  });

  it('turns stop (a string or a list) into stop_sequences, without empty ones', () => {
    assert.deepEqual(toAnthropicRequest({ messages: hi, stop: 'END' }, LEGACY).stop_sequences, ['END']);
    assert.deepEqual(toAnthropicRequest({ messages: hi, stop: ['a', 'b'] }, LEGACY).stop_sequences, ['a', 'b']);
    assert.equal('stop_sequences' in toAnthropicRequest({ messages: hi, stop: '' }, LEGACY), false);
    assert.deepEqual(toAnthropicRequest({ messages: hi, stop: ['\n', ' ', 'END'] }, LEGACY).stop_sequences, ['END'], 'Anthropic refuses whitespace-only ones');
    assert.equal('stop_sequences' in toAnthropicRequest({ messages: hi, stop: null }, LEGACY), false);
  });
});

describe('toAnthropicRequest: sampling per model', () => {
  const sampled = (model: string, extra: Record<string, unknown>) => {
    const { temperature, top_p, top_k } = toAnthropicRequest({ messages: hi, ...extra }, model);
    return { temperature, top_p, top_k };
  };

  it('clamps temperature into [0, 1]', () => {
    assert.equal(sampled(LEGACY, { temperature: 2 }).temperature, 1);
    assert.equal(sampled(LEGACY, { temperature: 0.4 }).temperature, 0.4);
    assert.equal(sampled(LEGACY, { temperature: 0 }).temperature, 0);
  });

  it('keeps temperature, top_p and top_k together on older models and on ids with no version', () => {
    assert.deepEqual(sampled(LEGACY, { temperature: 0.5, top_p: 0.8, top_k: 5 }), { temperature: 0.5, top_p: 0.8, top_k: 5 });
    assert.deepEqual(sampled('my-proxy-model', { temperature: 0.5, top_p: 0.8, top_k: 5 }), { temperature: 0.5, top_p: 0.8, top_k: 5 });
  });

  it('drops top_p next to a temperature on 4.1–4.6 models (a 400 there), keeps it alone', () => {
    assert.deepEqual(sampled('claude-sonnet-4-5', { temperature: 0.5, top_p: 0.8 }), { temperature: 0.5, top_p: undefined, top_k: undefined });
    assert.deepEqual(sampled('claude-sonnet-4-5', { top_p: 0.8 }), { temperature: undefined, top_p: 0.8, top_k: undefined });
  });

  it('sends no sampling parameter to 4.7+ models, which reject them', () => {
    const none = { temperature: undefined, top_p: undefined, top_k: undefined };
    for (const model of ['claude-opus-4-7', 'claude-sonnet-5-5', 'claude-haiku-5-5', 'claude-fable-5-2']) {
      assert.deepEqual(sampled(model, { temperature: 0.5, top_p: 0.8, top_k: 5 }), none, model);
    }
  });
});

describe('toAnthropicRequest: thinking', () => {
  const send = (model: string, extra: Record<string, unknown>) => toAnthropicRequest({ messages: hi, ...extra }, model);

  it('maps reasoning_effort to a thinking budget on budget-only models, with room for the answer by default', () => {
    const cases = [
      ['minimal', 1024],
      ['low', 1024],
      ['medium', 4096],
      ['high', 16384],
    ] as const;
    for (const [effort, budget] of cases) {
      const sent = send('claude-sonnet-4-5', { reasoning_effort: effort });
      assert.deepEqual(sent.thinking, { type: 'enabled', budget_tokens: budget }, effort);
      assert.equal(sent.max_tokens, 4096 + budget, effort);
      assert.equal('output_config' in sent, false);
    }
  });

  it('never raises the client\'s cap (the hold covers only it): the budget fits under it, or there is no thinking', () => {
    assert.equal(send('claude-sonnet-4-5', { reasoning_effort: 'high', max_tokens: 20000 }).max_tokens, 20000);
    const fitted = send('claude-sonnet-4-5', { reasoning_effort: 'high', max_completion_tokens: 8000 });
    assert.deepEqual([fitted.max_tokens, fitted.thinking], [8000, { type: 'enabled', budget_tokens: 4000 }], 'half for thinking, half for the answer');
    const tight = send('claude-sonnet-4-5', { reasoning_effort: 'low', max_tokens: 2000 });
    assert.deepEqual([tight.max_tokens, 'thinking' in tight], [2000, false]);
  });

  it('leaves thinking out in a tool loop (Anthropic wants the signed thinking block an OpenAI history cannot carry)', () => {
    const loop = [
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny' },
    ];
    const tools = [{ type: 'function', function: { name: 'f' } }];
    for (const extra of [{ reasoning_effort: 'high' }, { thinking: { type: 'enabled', budget_tokens: 2048 } }]) {
      const sent = toAnthropicRequest({ messages: loop, tools, max_tokens: 8000, ...extra }, 'claude-sonnet-4-5');
      assert.equal('thinking' in sent, false, JSON.stringify(extra));
    }
  });

  it('asks adaptive models for adaptive thinking at that effort (they reject a budget)', () => {
    const sent = send('claude-sonnet-5-5', { reasoning_effort: 'medium' });
    assert.deepEqual(sent.thinking, { type: 'adaptive' });
    assert.deepEqual(sent.output_config, { effort: 'medium' });
    assert.equal(sent.max_tokens, 4096 + 16384);
    assert.equal(send('claude-opus-4-6', { reasoning_effort: 'high', max_tokens: 500 }).max_tokens, 500);
  });

  it('gives adaptive models, which may think unasked, a default max_tokens with room for thinking', () => {
    for (const model of ['claude-opus-5-5', 'claude-sonnet-4-6', 'claude-fable-5-2']) {
      const sent = send(model, {});
      assert.equal(sent.max_tokens, 20480, model);
      assert.equal('thinking' in sent, false, model);
    }
    assert.equal(send('claude-opus-5-5', { max_tokens: 300 }).max_tokens, 300);
  });

  it('does not think for reasoning_effort none or an unknown value', () => {
    for (const effort of ['none', 'extreme']) {
      const sent = send('claude-sonnet-4-5', { reasoning_effort: effort });
      assert.equal('thinking' in sent, false, effort);
      assert.equal(sent.max_tokens, 4096);
    }
  });

  it('does not add thinking to a request that forces a tool (Anthropic rejects the pair)', () => {
    const tools = [{ type: 'function', function: { name: 'f' } }];
    for (const tool_choice of ['required', { type: 'function', function: { name: 'f' } }]) {
      const sent = send('claude-sonnet-4-5', { reasoning_effort: 'high', tools, tool_choice });
      assert.equal('thinking' in sent, false);
      assert.equal(sent.max_tokens, 4096);
    }
    assert.deepEqual(send('claude-sonnet-4-5', { reasoning_effort: 'low', tools, tool_choice: 'auto' }).thinking, { type: 'enabled', budget_tokens: 1024 });
  });

  it("fits a client's own thinking to the model: a budget on earlier models, adaptive + effort on newer ones", () => {
    const thinking = { type: 'enabled', budget_tokens: 10000, display: 'summarized' };
    const sent = send('claude-sonnet-4-5', { thinking, output_config: { effort: 'low' }, reasoning_effort: 'high', max_tokens: 24000 });
    assert.deepEqual(sent.thinking, thinking);
    assert.equal('output_config' in sent, false, 'effort is the adaptive generation\'s field');
    assert.equal(sent.max_tokens, 24000);
    assert.equal('thinking' in send('claude-sonnet-4-5', { thinking, max_tokens: 1000 }), false, 'no room under the cap');
    const adaptive = send('claude-opus-5', { thinking: { type: 'adaptive' } });
    assert.deepEqual([adaptive.thinking, adaptive.output_config], [{ type: 'adaptive' }, { effort: 'medium' }]);
    const budgeted = send('claude-sonnet-5-5', { thinking: { type: 'enabled', budget_tokens: 20000 } });
    assert.deepEqual([budgeted.thinking, budgeted.output_config], [{ type: 'adaptive' }, { effort: 'high' }]);
    assert.deepEqual(send('claude-sonnet-4-5', { thinking: { type: 'adaptive' }, max_tokens: 9000 }).thinking, { type: 'enabled', budget_tokens: 4096 });
  });

  it("keeps a client's output_config effort over reasoning_effort on adaptive models", () => {
    assert.deepEqual(send('claude-opus-5-5', { reasoning_effort: 'high', output_config: { effort: 'max' } }).output_config, { effort: 'max' });
  });

  it('drops the sampling parameters while thinking (Anthropic rejects temperature and top_k then)', () => {
    const sent = send(LEGACY, { reasoning_effort: 'low', temperature: 0.2, top_p: 0.9, top_k: 3 });
    assert.deepEqual(sent.thinking, { type: 'enabled', budget_tokens: 1024 });
    assert.equal('temperature' in sent || 'top_p' in sent || 'top_k' in sent, false);
    const disabled = send(LEGACY, { thinking: { type: 'disabled' }, temperature: 0.2 });
    assert.equal(disabled.temperature, 0.2);
  });
});

describe('toAnthropicRequest: response_format → structured outputs', () => {
  const SCHEMA = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
  const jsonSchema = { type: 'json_schema', json_schema: { name: 'weather', strict: true, schema: SCHEMA } };

  it('json_schema → output_config.format with the schema, on models with structured outputs (4.5 on, or unversioned)', () => {
    for (const model of ['claude-sonnet-4-5', 'claude-haiku-4-5@20251001', 'claude-opus-4-6', 'my-proxy-model']) {
      const sent = toAnthropicRequest({ messages: hi, response_format: jsonSchema }, model);
      assert.deepEqual(sent.output_config, { format: { type: 'json_schema', schema: SCHEMA } }, model);
      assert.equal('system' in sent, false, `${model}: no instruction when the API holds the schema`);
      assert.equal('response_format' in sent || 'output_format' in sent, false, model);
    }
  });

  it('keeps the effort beside the format, and a client\'s own output_config.format over response_format', () => {
    const sent = toAnthropicRequest({ messages: hi, response_format: jsonSchema, reasoning_effort: 'low' }, 'claude-opus-4-6');
    assert.deepEqual(sent.output_config, { format: { type: 'json_schema', schema: SCHEMA }, effort: 'low' });
    const own = { type: 'json_schema', schema: { type: 'object', properties: {}, additionalProperties: false } };
    const kept = toAnthropicRequest({ messages: hi, response_format: jsonSchema, output_config: { format: own } }, 'claude-sonnet-4-5');
    assert.deepEqual(kept.output_config, { format: own });
  });

  it('json_schema on a model before structured outputs → the schema as a system instruction (best effort)', () => {
    const sent = toAnthropicRequest({ messages: [{ role: 'system', content: 'Be brief.' }, ...hi], response_format: jsonSchema }, LEGACY);
    assert.equal('output_config' in sent, false);
    const system = sent.system as { type: string; text: string }[];
    assert.equal(system.length, 2);
    assert.deepEqual(system[0], { type: 'text', text: 'Be brief.' });
    assert.match(system[1].text, /JSON Schema/);
    assert.ok(system[1].text.includes(JSON.stringify(SCHEMA)));
  });

  it('json_object → a JSON-only system instruction and no format (structured outputs cannot say "any object")', () => {
    const sent = toAnthropicRequest({ messages: hi, response_format: { type: 'json_object' } }, 'claude-sonnet-4-5');
    assert.equal('output_config' in sent, false);
    assert.deepEqual(sent.system, [{ type: 'text', text: jsonInstruction() }]);
    assert.match(jsonInstruction(), /single valid JSON object/);
  });

  it('text (the default), or a json_schema without a schema, adds no format', () => {
    const text = toAnthropicRequest({ messages: hi, response_format: { type: 'text' } }, 'claude-sonnet-4-5');
    assert.deepEqual(Object.keys(text).sort(), ['max_tokens', 'messages', 'model', 'stream']);
    const bare = toAnthropicRequest({ messages: hi, response_format: { type: 'json_schema', json_schema: { name: 'x' } } }, 'claude-sonnet-4-5');
    assert.equal('output_config' in bare, false);
    assert.deepEqual(bare.system, [{ type: 'text', text: jsonInstruction() }]);
  });
});
