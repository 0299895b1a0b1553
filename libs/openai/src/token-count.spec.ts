import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { countTokens } from 'gpt-tokenizer';
import {
  AUDIO_REFERENCE_TOKENS,
  AUDIO_TOKENS_PER_SECOND,
  audioTokenBound,
  countTextTokens,
  estimateCompletionTokens,
  estimatePromptTokens,
  IMAGE_TOKENS,
  MAX_FILE_TOKENS,
  promptParts,
  tokenUpperBound,
} from './token-count';
import { TokenCounter } from './token-counter';

/** A WAV of `seconds` of 16 kHz 16-bit mono silence (32,000 bytes a second), as base64. */
function wav(seconds: number, byteRate = 32_000): string {
  const data = Buffer.alloc(Math.round(seconds * byteRate));
  const head = Buffer.alloc(44);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(36 + data.length, 4);
  head.write('WAVEfmt ', 8, 'latin1');
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(1, 22);
  head.writeUInt32LE(16_000, 24);
  head.writeUInt32LE(byteRate, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write('data', 36, 'latin1');
  head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]).toString('base64');
}

const english = 'The gateway counts every prompt once, in linear time, and never holds less than it bills. '.repeat(40);

function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

describe('countTextTokens', () => {
  it('matches the tokenizer on ordinary text, never below it', () => {
    for (const text of ['', 'hi', 'Hello there, how are you?', english, randomBytes(3000).toString('base64')]) {
      const exact = countTokens(text);
      const ours = countTextTokens(text);
      assert.ok(ours >= exact && ours <= exact * 1.02 + 2, `${ours} vs ${exact}`);
    }
  });

  // Regression: 40 KB of one letter took a second, 100 KB of CJK without spaces 49 s (quadratic BPE on one pre-token).
  for (const [name, text] of [
    ['one letter', 'a'.repeat(1_000_000)],
    ['spaces', ' '.repeat(1_000_000)],
    ['newlines', '\n'.repeat(1_000_000)],
    ['punctuation', '!'.repeat(1_000_000)],
    ['CJK without spaces', '我们的世界很大'.repeat(140_000)],
    ['emoji', '😀'.repeat(500_000)],
  ] as const) {
    it(`is linear on a 1 MB run of ${name}`, () => {
      const { value, ms } = timed(() => countTextTokens(text));
      assert.ok(value > 0 && value <= tokenUpperBound([text]));
      assert.ok(ms < 2_000, `${ms} ms`);
    });
  }

  it('never cuts a surrogate pair (a cut one would count as replacement characters)', () => {
    const text = 'x' + '😀'.repeat(1000);
    assert.ok(countTextTokens(text) <= tokenUpperBound([text]));
    assert.equal(countTextTokens('😀'.repeat(300)), countTextTokens('😀'.repeat(128)) + countTextTokens('😀'.repeat(172)));
  });
});

describe('promptParts', () => {
  it('counts each content part on its own: joining parts never makes a long run', () => {
    const parts = promptParts({ messages: [{ role: 'user', content: Array.from({ length: 3 }, () => ({ type: 'text', text: 'a'.repeat(10) })) }] });
    assert.deepEqual(parts.texts, ['a'.repeat(10), 'a'.repeat(10), 'a'.repeat(10)]);
    assert.equal(parts.chars, 30);
  });

  it('charges framing, names, images, tool calls, tools and the response format', () => {
    const base = { messages: [{ role: 'user', content: 'hi' }] };
    const n = estimatePromptTokens(base);
    assert.equal(n, 3 + 4 + countTokens('hi'));
    const image = { messages: [{ role: 'user', name: 'al', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] };
    assert.equal(estimatePromptTokens(image), n + 1 + IMAGE_TOKENS);
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];
    assert.equal(estimatePromptTokens({ ...base, tools }), n + countTokens(JSON.stringify(tools)));
  });

  it('bills reasoning sent back, legacy function calls and the legacy functions list as input text', () => {
    const base = { messages: [{ role: 'user', content: 'hi' }] };
    const n = estimatePromptTokens(base);
    const reasoning = 'Let me think about this step by step. '.repeat(50);
    const history = { messages: [...base.messages, { role: 'assistant', content: 'ok', reasoning_content: reasoning }] };
    assert.equal(estimatePromptTokens(history), n + 4 + countTokens('ok') + countTokens(reasoning));
    const functions = [{ name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } }];
    assert.equal(estimatePromptTokens({ ...base, functions }), n + countTokens(JSON.stringify(functions)));
    const call = { name: 'get_weather', arguments: '{"city":"Paris"}' };
    const called = { messages: [...base.messages, { role: 'assistant', content: null, function_call: call }] };
    assert.equal(estimatePromptTokens(called), n + 4 + countTokens(JSON.stringify(call)));
  });

  it('holds a file part at its worst case (the page limit at the dearest page), whatever its size, and guesses from its size', () => {
    const small = { messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=' } }] }] };
    const big = { messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: 'A'.repeat(4_000_000) } }] }] };
    const byId = { messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }, { type: 'text', text: 'summarize' }] }] };
    for (const body of [small, big, byId]) assert.equal(promptParts(body).fileReserve, MAX_FILE_TOKENS);
    assert.ok(promptParts(big).fileTokens > promptParts(small).fileTokens, 'a larger file is guessed larger');
    assert.ok(promptParts(big).fileTokens <= MAX_FILE_TOKENS);
    assert.equal(promptParts({ messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'a' } }, { type: 'file', file: { file_id: 'b' } }] }] }).fileReserve, 2 * MAX_FILE_TOKENS);
    assert.ok(estimatePromptTokens(big) > estimatePromptTokens({ messages: [{ role: 'user', content: 'x' }] }) + 100_000);
  });

  it('bounds audio by its longest possible duration: a WAV by its own byte rate, an MP3 by the lowest bitrate', () => {
    const tenSeconds = wav(10);
    assert.equal(audioTokenBound({ data: tenSeconds, format: 'wav' }), Math.ceil(((tenSeconds.length * 3) / 4 / 32_000) * AUDIO_TOKENS_PER_SECOND));
    assert.ok(audioTokenBound({ data: tenSeconds, format: 'wav' }) >= 10 * 10, 'at least OpenAI\'s 10 tokens a second');
    // A forged header claiming an absurd rate cannot shrink the bound below 96 kHz 24-bit stereo's.
    assert.ok(audioTokenBound({ data: wav(1, 50_000_000), format: 'wav' }) >= Math.floor((50_000_000 / 576_000) * AUDIO_TOKENS_PER_SECOND));
  });

  it('bounds a WAV by the slowest rate its header implies: a forged byte-rate field cannot shorten it (regression: held at 1/72)', () => {
    // 10 s of 8 kHz 8-bit mono PCM (8,000 B/s) whose byte-rate field claims 96 kHz 24-bit stereo's 576,000 B/s.
    const pcm = Buffer.alloc(80_000);
    const head = Buffer.from(wav(0), 'base64');
    head.writeUInt32LE(36 + pcm.length, 4);
    head.writeUInt16LE(1, 22);
    head.writeUInt32LE(8_000, 24);
    head.writeUInt32LE(576_000, 28);
    head.writeUInt16LE(1, 32);
    head.writeUInt16LE(8, 34);
    head.writeUInt32LE(pcm.length, 40);
    const forged = Buffer.concat([head, pcm]).toString('base64');
    assert.ok(audioTokenBound({ data: forged, format: 'wav' }) >= 10 * AUDIO_TOKENS_PER_SECOND, 'the ten seconds the upstream bills');
    // A header whose first chunk is not `fmt ` (JUNK, LIST) says nothing readable at fixed offsets: the 8,000 B/s floor.
    const junk = Buffer.from(forged, 'base64');
    junk.write('JUNK', 12, 'latin1');
    assert.equal(audioTokenBound({ data: junk.toString('base64'), format: 'wav' }), Math.ceil((junk.length / 8_000) * AUDIO_TOKENS_PER_SECOND));
  });

  it('bounds an MP3 by the lowest bitrate and counts audio references', () => {
    const mp3 = Buffer.alloc(16_000).toString('base64'); // 16 s at 8 kbit/s, 1 s at 128 kbit/s
    assert.equal(audioTokenBound({ data: mp3, format: 'mp3' }), Math.ceil(16 * AUDIO_TOKENS_PER_SECOND));
    const body = { messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: mp3, format: 'mp3' } }] }, { role: 'assistant', audio: { id: 'audio_1' } }] };
    assert.equal(promptParts(body).audioTokens, Math.ceil(16 * AUDIO_TOKENS_PER_SECOND) + AUDIO_REFERENCE_TOKENS);
    assert.equal(promptParts(body).texts.length, 0, 'audio is never tokenized as text');
  });

  it('takes legacy prompts and embeddings inputs, token arrays as their own count', () => {
    assert.equal(estimatePromptTokens({ prompt: 'hello world' }), countTokens('hello world'));
    assert.equal(estimatePromptTokens({ input: [[1, 2, 3], [4, 5]] }), 5);
    assert.equal(estimatePromptTokens({ input: ['a b', 'c'] }), countTokens('a b') + countTokens('c'));
  });
});

describe('estimateCompletionTokens', () => {
  it('is exact on short text and a cheap upper bound on long text', () => {
    assert.equal(estimateCompletionTokens('Hello there'), countTokens('Hello there'));
    const long = randomBytes(600_000).toString('base64');
    const { value, ms } = timed(() => estimateCompletionTokens(long));
    assert.ok(value >= countTextTokens(long));
    assert.ok(ms < 50, `${ms} ms`);
  });
});

describe('TokenCounter', () => {
  const counter = new TokenCounter({ threads: 1, maxQueue: 2 });
  after(() => counter.close());

  it('counts large prompts in a worker while the event loop stays free', async () => {
    const body = { messages: [{ role: 'user', content: randomBytes(1_500_000).toString('base64') }] };
    let ticks = 0;
    let worst = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
      ticks++;
    }, 1);
    const counted = await counter.prompt(body);
    clearInterval(timer);
    assert.equal(counted.tokens, estimatePromptTokens(body));
    assert.ok(counted.reserve >= counted.tokens * 1.25);
    assert.ok(ticks > 10, `the loop ticked ${ticks} times`);
    assert.ok(worst < 100, `event loop blocked ${worst} ms`);
  });

  it('counts small prompts inline, exactly as estimatePromptTokens does', async () => {
    const body = { messages: [{ role: 'user', content: 'What is the capital of France?' }] };
    assert.equal((await counter.prompt(body)).tokens, estimatePromptTokens(body));
  });

  it('reserves files at their worst case on top of the text, and audio apart (it has its own price)', async () => {
    const text = { messages: [{ role: 'user', content: 'Summarize this.' }] };
    const plain = await counter.prompt(text);
    assert.equal(plain.fileReserve, undefined);
    assert.equal(plain.audioTokens, undefined);
    const withFile = await counter.prompt({ messages: [{ role: 'user', content: [{ type: 'text', text: 'Summarize this.' }, { type: 'file', file: { file_id: 'file-1' } }] }] });
    assert.equal(withFile.fileReserve, MAX_FILE_TOKENS);
    assert.equal(withFile.reserve, plain.reserve + MAX_FILE_TOKENS);
    const mp3 = Buffer.alloc(8_000).toString('base64');
    const withAudio = await counter.prompt({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: mp3, format: 'mp3' } }] }] });
    assert.equal(withAudio.audioTokens, Math.ceil(8 * AUDIO_TOKENS_PER_SECOND));
    assert.ok(withAudio.reserve < 100, 'audio is not held at the text price too');
  });

  it('keeps ordinary counts out of the queue of huge ones', async () => {
    const huge = randomBytes(600_000).toString('base64');
    const ordinary = 'An ordinary long prompt of a few kilobytes. '.repeat(100);
    const flood = Promise.all(Array.from({ length: 2 }, () => counter.text(huge)));
    const started = performance.now();
    assert.equal(await counter.text(ordinary), countTextTokens(ordinary));
    assert.ok(performance.now() - started < 500, `an ordinary count waited ${(performance.now() - started).toFixed(0)} ms behind the flood`);
    await flood;
  });

  it('takes the byte upper bound when the pool is saturated, never a smaller count', async () => {
    const text = randomBytes(400_000).toString('base64');
    const results = await Promise.all(Array.from({ length: 8 }, () => counter.text(text)));
    const exact = countTextTokens(text);
    assert.ok(results.every((n) => n >= exact));
    assert.ok(results.some((n) => n === tokenUpperBound([text])), 'some counts fell back');
    assert.ok(counter.saturated > 0);
  });
});
