import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import { TfError } from '@tokenflow/contracts';
import type { z } from 'zod';
import { completionsRequestSchema, embeddingsRequestSchema } from './completions-request.schema';
import { validate } from './validate';

const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

function rejection(schema: z.ZodType, body: unknown): TfError {
  try {
    validate(schema, body);
  } catch (err) {
    assert.ok(err instanceof TfError, `expected TfError, got ${String(err)}`);
    assert.equal(err.status, 400);
    return err;
  }
  assert.fail('expected the request to be rejected');
}

describe('validate(completionsRequestSchema)', () => {
  const base = { model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi' };

  it('accepts each prompt form, a long token-id prompt included', () => {
    for (const prompt of ['hi', ['a', 'b'], [1, 2, 3], [[1], [2, 3]], times(100_000, (i) => i % 50_000), times(2048, () => 'x')]) {
      assert.doesNotThrow(() => validate(completionsRequestSchema, { ...base, prompt }), JSON.stringify(prompt).slice(0, 80));
    }
    assert.doesNotThrow(() => validate(completionsRequestSchema, { ...base, stream: true, stream_options: { include_usage: true }, logit_bias: { '50256': -100 } }));
  });

  it('caps a batch at 2,048 prompts before parsing it', () => {
    const start = performance.now();
    const err = rejection(completionsRequestSchema, { ...base, prompt: times(500_000, () => 'x') });
    assert.ok(performance.now() - start < 200);
    assert.equal(err.param, 'prompt');
    assert.equal(err.message, "Invalid 'prompt': array too long. Expected an array with maximum length 2048, but got an array with length 500000 instead.");
    assert.equal(rejection(completionsRequestSchema, { ...base, prompt: times(2049, () => [1]) }).param, 'prompt');
  });

  it('rejects stream_options without stream, five stops, a bad logit_bias and an over-long prompt string', () => {
    const noStream = rejection(completionsRequestSchema, { ...base, stream_options: { include_usage: true } });
    assert.equal(noStream.param, 'stream_options');
    assert.equal(noStream.message, "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
    assert.equal(rejection(completionsRequestSchema, { ...base, stop: ['a', 'b', 'c', 'd', 'e'] }).param, 'stop');
    assert.equal(rejection(completionsRequestSchema, { ...base, logit_bias: { x: 1 } }).message, "Invalid key in 'logit_bias': x. You should only be submitting non-negative integers.");
    assert.equal(rejection(completionsRequestSchema, { ...base, prompt: 'x'.repeat(10_485_761) }).param, 'prompt');
  });
});

describe('validate(embeddingsRequestSchema)', () => {
  const base = { model: 'text-embedding-3-small', input: 'hello' };

  it('accepts 2,048 inputs, and one input of 8,191 token ids', () => {
    assert.doesNotThrow(() => validate(embeddingsRequestSchema, { ...base, input: times(2048, () => 'x') }));
    assert.doesNotThrow(() => validate(embeddingsRequestSchema, { ...base, input: times(8191, (i) => i) }));
    // OpenAI's 300k-token request cap, as token ids: within the token-id value budget.
    assert.doesNotThrow(() => validate(embeddingsRequestSchema, { ...base, input: times(2048, () => times(146, (i) => i)) }));
  });

  it('refuses 2,049 inputs before parsing them, with OpenAI\'s message', () => {
    const err = rejection(embeddingsRequestSchema, { ...base, input: times(2049, () => 'x') });
    assert.equal(err.param, 'input');
    assert.equal(err.message, "Invalid 'input': array too long. Expected an array with maximum length 2048, but got an array with length 2049 instead.");
  });

  it('refuses more token ids than the token-id budget in a few milliseconds', () => {
    const start = performance.now();
    const err = rejection(embeddingsRequestSchema, { ...base, input: times(2048, () => times(600, (i) => i)) });
    assert.ok(performance.now() - start < 200);
    assert.match(err.message, /too many values/);
  });
});

describe('fallbacks in completions and embeddings requests', () => {
  const bodies: [string, z.ZodType, Record<string, unknown>][] = [
    ['completions', completionsRequestSchema, { model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi' }],
    ['embeddings', embeddingsRequestSchema, { model: 'text-embedding-3-small', input: 'hello' }],
  ];

  it('accepts 0 to 8 model ids and refuses anything else, naming fallbacks', () => {
    for (const [name, schema, base] of bodies) {
      const chain = times(8, (i) => `m${i}`);
      assert.deepEqual((validate(schema, { ...base, fallbacks: chain }) as { fallbacks?: string[] }).fallbacks, chain, name);
      assert.deepEqual((validate(schema, { ...base, fallbacks: [] }) as { fallbacks?: string[] }).fallbacks, [], name);
      for (const [fallbacks, param] of [[[...chain, 'm8'], 'fallbacks'], ['m0', 'fallbacks'], [[''], 'fallbacks[0]'], [['x'.repeat(257)], 'fallbacks[0]']] as const) {
        assert.equal(rejection(schema, { ...base, fallbacks }).param, param, `${name} ${JSON.stringify(fallbacks).slice(0, 40)}`);
      }
    }
  });
});
