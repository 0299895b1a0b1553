import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { CompletionPlan } from '../../completion/completion-plan';
import { buildTextCompletion, textCompletionFrames } from './text-completion.format';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const plan = (content: string[], n = 1, finishReason: CompletionPlan['finishReason'] = 'stop'): CompletionPlan => ({
  id: 'unused',
  created: 1_700_000_000,
  model: 'gpt-3.5-turbo-instruct',
  n,
  reasoning: [],
  content,
  toolCalls: [],
  finishReason,
  usage: {
    prompt_tokens: 3,
    completion_tokens: n * content.length,
    total_tokens: 3 + n * content.length,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  },
});

const completion = { id: 'cmpl-test', created: 1_700_000_000, model: 'gpt-3.5-turbo-instruct', plans: [plan(['a ', 'b']), plan(['c'], 1, 'length')] };

const chunks = (includeUsage: boolean) =>
  textCompletionFrames(completion, includeUsage).map((f) => JSON.parse(f.text.slice('data: '.length)) as Json);

describe('legacy text completion format', () => {
  it('answers each prompt in its own choice, numbered on, with summed usage', () => {
    assert.deepEqual(buildTextCompletion(completion, true), {
      id: 'cmpl-test',
      object: 'text_completion',
      created: 1_700_000_000,
      model: 'gpt-3.5-turbo-instruct',
      choices: [
        { text: 'a b', index: 0, logprobs: null, finish_reason: 'stop' },
        { text: 'c', index: 1, logprobs: null, finish_reason: 'length' },
      ],
      usage: { prompt_tokens: 6, completion_tokens: 3, total_tokens: 9 },
    });
    assert.ok(!('usage' in buildTextCompletion(completion, false)));
  });

  it('streams text_completion objects per token, a closing chunk per choice, then the usage chunk', () => {
    const all = chunks(true);
    assert.deepEqual(
      all.map((c) => [c.choices[0]?.index, c.choices[0]?.text, c.choices[0]?.finish_reason]),
      [
        [0, 'a ', null],
        [0, 'b', null],
        [0, '', 'stop'],
        [1, 'c', null],
        [1, '', 'length'],
        [undefined, undefined, undefined],
      ],
    );
    assert.ok(all.every((c) => c.object === 'text_completion' && c.id === 'cmpl-test' && !('delta' in (c.choices[0] ?? {}))));
    assert.deepEqual(all.at(-1)!.choices, []);
    assert.deepEqual(all.at(-1)!.usage, { prompt_tokens: 6, completion_tokens: 3, total_tokens: 9 });
    assert.ok(all.slice(0, -1).every((c) => c.usage === null));
    assert.ok(chunks(false).every((c) => c.choices.length === 1 && !('usage' in c)));
  });
});
