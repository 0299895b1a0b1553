import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { countTextsAndDigits, estimatePromptTokens, MAX_FILE_TOKENS, promptCountOf, promptParts, reserveTokens } from '@tokenflow/openai';
import type { Endpoint } from '@tokenflow/contracts';
import { DEFAULT_MAX_OUTPUT_TOKENS, holdSize as holdSizeOf, longestCacheWrite, promptReserve, sizeRequest, withOutputCap as withOutputCapOf } from './request-size';

type Body = Record<string, unknown>;
const reserveOf = (body: Body) => {
  const parts = promptParts(body);
  return reserveTokens(parts.fixedTokens, parts.chars, countTextsAndDigits(parts.texts));
};
const holdSize = (body: Body, cap: number | null, endpoint: Endpoint = 'chat') => holdSizeOf(body, cap, endpoint, reserveOf(body));
const withOutputCap = <T extends Body>(body: T, model: { maxOutputTokens: number | null; contextWindow?: number | null }, endpoint: Endpoint = 'chat') =>
  withOutputCapOf(body, model, endpoint, estimatePromptTokens(body));

describe('holdSize', () => {
  const messages = [{ role: 'user' as const, content: 'Tell me a long story about a gateway that never overdraws.' }];

  it('bounds the output by the request, else the catalog, else a default, times n', () => {
    assert.equal(holdSize({ model: 'm', messages, max_completion_tokens: 50, max_tokens: 99 }, 8192).maxOutputTokens, 50);
    assert.equal(holdSize({ model: 'm', messages, max_tokens: 99, n: 3 }, 8192).maxOutputTokens, 297);
    assert.equal(holdSize({ model: 'm', messages }, 8192).maxOutputTokens, 8192);
    assert.equal(holdSize({ model: 'm', messages }, null).maxOutputTokens, DEFAULT_MAX_OUTPUT_TOKENS);
  });

  it('reserves what any common tokenizer could bill: runs of spaces, letters and digits o200k merges unusually well', () => {
    for (const content of [' '.repeat(100_000), 'a'.repeat(100_000), '7'.repeat(100_000)]) {
      const body = { model: 'm', messages: [{ role: 'user', content }] };
      const digits = content[0] === '7' ? content.length : 0;
      // A character-counting upstream (the mock: four characters a token) or a digit-per-token one (Qwen, DeepSeek).
      const billedAtMost = Math.max(Math.ceil(content.length / 4), digits);
      assert.ok(holdSize(body, null).promptTokens >= billedAtMost, `${JSON.stringify(content.slice(0, 3))}: ${holdSize(body, null).promptTokens} < ${billedAtMost}`);
      assert.ok(estimatePromptTokens(body) < billedAtMost, 'o200k alone would under-reserve');
    }
  });

  it('counts the prompt with a margin above the tokenizer count', () => {
    const counted = estimatePromptTokens({ model: 'm', messages });
    assert.ok(counted > 10);
    assert.ok(holdSize({ model: 'm', messages }, null).promptTokens >= counted * 1.25 + 16);
  });
});

describe('withOutputCap', () => {
  const messages = [{ role: 'user' as const, content: 'hi' }];
  it('adds the held output limit upstream only when the client set none', () => {
    assert.equal(withOutputCap({ model: 'm', messages }, { maxOutputTokens: 8192 }).max_tokens, 8192);
    assert.equal(withOutputCap({ model: 'm', messages }, { maxOutputTokens: null }).max_tokens, DEFAULT_MAX_OUTPUT_TOKENS);
    const own = { model: 'm', messages, max_completion_tokens: 20 };
    assert.equal(withOutputCap(own, { maxOutputTokens: 8192 }), own);
  });
  it('keeps the added limit beside the prompt inside the context window', () => {
    const long = [{ role: 'user' as const, content: 'word '.repeat(3000) }];
    const prompt = estimatePromptTokens({ messages: long });
    const capped = withOutputCap({ model: 'm', messages: long }, { maxOutputTokens: 64_000, contextWindow: 8_000 }).max_tokens!;
    assert.ok(capped > 4_000 && capped + prompt < 8_000, `${capped} + ${prompt}`);
    // No useful room left: the model's own cap goes up, and the upstream says the input is too long.
    assert.equal(withOutputCap({ model: 'm', messages: long }, { maxOutputTokens: 64_000, contextWindow: prompt + 500 }).max_tokens, 64_000);
    assert.equal(withOutputCap({ model: 'm', messages }, { maxOutputTokens: 4_000, contextWindow: 200_000 }).max_tokens, 4_000);
  });
  it('charges images and tool calls in the prompt estimate', () => {
    const plain = holdSize({ model: 'm', messages }, null).promptTokens;
    const withImage = holdSize(
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] },
      null,
    ).promptTokens;
    assert.ok(withImage - plain >= 1_600);
  });
});

describe('holdSize for the other APIs', () => {
  it('holds no output for embeddings, and counts every input', () => {
    const one = holdSize({ model: 'e', input: 'hello world' }, 8192, 'embeddings');
    const many = holdSize({ model: 'e', input: ['hello world', 'hello world', 'hello world'] }, 8192, 'embeddings');
    assert.equal(one.maxOutputTokens, 0);
    assert.ok(many.promptTokens > one.promptTokens);
    assert.deepEqual(withOutputCap({ model: 'e', input: 'x' }, { maxOutputTokens: 8192 }, 'embeddings'), { model: 'e', input: 'x' });
  });

  it('holds best_of candidates for legacy completions, and adds no limit upstream', () => {
    assert.equal(holdSize({ model: 'c', prompt: 'p', max_tokens: 10, best_of: 3, n: 2 }, null, 'completions').maxOutputTokens, 30);
    assert.equal(withOutputCap({ model: 'c', prompt: 'p' }, { maxOutputTokens: 500 }, 'completions').max_tokens, 16, 'OpenAI\'s default, stated');
  });
});

describe('sizeRequest', () => {
  const messages = [{ role: 'user' as const, content: 'Summarise the ledger.' }];
  const plan = { model: 'deepseek-v3', maxOutputTokens: 8192, contextWindow: 64_000 };

  it('sizes the reservations and the upstream body from the same numbers', () => {
    const sized = sizeRequest({ model: 'auto', messages, n: 2 }, plan, 'chat', { tokens: 12, reserve: 31 });
    assert.deepEqual(sized.size, { promptTokens: 12, promptReserve: 31, outputTokens: 8192 * 2 });
    // The planned model goes upstream, capped at what the hold covers per choice.
    assert.equal(sized.upstreamBody.model, 'deepseek-v3');
    assert.equal(sized.upstreamBody.max_tokens, 8192);
  });

  it('reserves what the upstream may generate: the cap the body carries, never more', () => {
    // A context window nearly full: the cap sent upstream is what is left of it, and so is the reservation.
    const full = sizeRequest({ model: 'm', messages }, { ...plan, contextWindow: 10_000 }, 'chat', { tokens: 7_000, reserve: 9_000 });
    assert.equal(full.upstreamBody.max_tokens, 10_000 - Math.ceil(7_000 * 1.05));
    assert.equal(full.size.outputTokens, full.upstreamBody.max_tokens);
    // Legacy completions without a limit are told OpenAI's default of 16 tokens, per candidate.
    const legacy = sizeRequest({ model: 'm', prompt: 'p', best_of: 3 }, plan, 'completions', { tokens: 1, reserve: 17 });
    assert.equal(legacy.upstreamBody.max_tokens, 16);
    assert.equal(legacy.size.outputTokens, 48);
  });

  it('caps the output beside the text prompt, not beside the audio upper bound (which only sizes the hold)', () => {
    const audio = sizeRequest({ model: 'm', messages }, { ...plan, contextWindow: 128_000, maxOutputTokens: 16_384 }, 'chat', { tokens: 100 + 120_000, reserve: 150, audioTokens: 120_000 });
    assert.equal(audio.upstreamBody.max_tokens, 16_384);
    assert.equal(audio.size.outputTokens, 16_384);
    assert.equal(audio.size.terms?.audioTokens, 120_000, 'the audio bound is still held');
  });

  it('keeps a client limit as it is and reserves nothing for embeddings output', () => {
    assert.equal(sizeRequest({ model: 'm', messages, max_tokens: 10 }, plan, 'chat', { tokens: 5, reserve: 9 }).size.outputTokens, 10);
    const emb = sizeRequest({ model: 'm', input: 'x' }, plan, 'embeddings', { tokens: 1, reserve: 17 });
    assert.deepEqual(emb.size, { promptTokens: 1, promptReserve: 17, outputTokens: 0 });
    assert.equal(emb.upstreamBody.max_tokens, undefined);
  });
});

/** Issue 13: every billable part of a request reaches the hold (or its price terms). */
describe('sizeRequest: what else is billed', () => {
  const plan = { model: 'gpt-4o', maxOutputTokens: 16_384, contextWindow: 128_000 };
  const ask = { role: 'user' as const, content: 'Summarise it.' };
  const size = (body: Body, p: typeof plan = plan) => {
    const parts = promptParts(body);
    return sizeRequest({ model: 'm', max_tokens: 100, ...body }, p, 'chat', promptCountOf(parts, countTextsAndDigits(parts.texts))).size;
  };
  const plain = size({ messages: [ask] });

  it('holds a file part at its worst case, up to the context window (no provider bills more input than that)', () => {
    const file = { role: 'user', content: [{ type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0xLjQK' } }, { type: 'text', text: 'Summarise it.' }] };
    const held = size({ messages: [file] });
    assert.equal(held.promptReserve, plan.contextWindow, 'a tiny PDF may still hold a hundred pages');
    assert.ok(held.promptTokens > plain.promptTokens, 'and its guess is in the estimate');
    // Without a known window, the page limit at the dearest page.
    assert.ok(size({ messages: [file] }, { ...plan, contextWindow: null as unknown as number }).promptReserve >= MAX_FILE_TOKENS);
    // The text's own reserve is never lowered by the cap.
    assert.equal(promptReserve({ tokens: 10, reserve: 150_000 + MAX_FILE_TOKENS, fileReserve: MAX_FILE_TOKENS }, 128_000), 150_000);
  });

  it('holds reasoning sent back in history as input', () => {
    const reasoning = 'First, consider every ledger entry in turn and check its idempotency key. '.repeat(400);
    const held = size({ messages: [ask, { role: 'assistant', content: 'Done.', reasoning_content: reasoning }, ask] });
    assert.ok(held.promptReserve - plain.promptReserve >= estimatePromptTokens({ messages: [{ role: 'user', content: reasoning }] }), `${held.promptReserve} vs ${plain.promptReserve}`);
  });

  it('holds the legacy functions list like tools', () => {
    const functions = Array.from({ length: 20 }, (_, i) => ({ name: `fn_${i}`, description: 'Looks something up in a large table. '.repeat(10), parameters: { type: 'object' } }));
    const tools = functions.map((f) => ({ type: 'function', function: f }));
    const asFunctions = size({ messages: [ask], functions });
    assert.ok(asFunctions.promptReserve > plain.promptReserve + 1_000);
    assert.ok(Math.abs(asFunctions.promptReserve - size({ messages: [ask], tools }).promptReserve) < asFunctions.promptReserve * 0.2, 'about what the same tools cost');
  });

  it('carries audio apart, to be held at the audio price', () => {
    const mp3 = Buffer.alloc(32_000).toString('base64');
    const held = size({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: mp3, format: 'mp3' } }] }] });
    assert.equal(held.terms?.audioTokens, Math.ceil(32 * 12.5));
    assert.equal(size({ messages: [ask], modalities: ['text', 'audio'] }).terms?.audioOutput, true);
    assert.equal(plain.terms, undefined, 'a plain request has no price terms');
  });

  it('carries the service tier and the longest cache write the body marks', () => {
    assert.equal(size({ messages: [ask], service_tier: 'priority' }).terms?.serviceTier, 'priority');
    const cached = (ttl?: string) => ({ type: 'text', text: 'A long system prompt.', cache_control: { type: 'ephemeral', ...(ttl ? { ttl } : {}) } });
    assert.equal(size({ messages: [{ role: 'system', content: [cached()] }, ask] }).terms?.cacheWrite, '5m');
    assert.equal(size({ messages: [{ role: 'system', content: [cached('1h'), cached()] }, ask] }).terms?.cacheWrite, '1h');
    assert.equal(longestCacheWrite({ messages: [ask] }), null);
  });
});
