import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { ChatLike } from './classification';
import { DENSE_DIM, FeatureScanner, MATH_START, MAX_ACTIVE, READ_CAP } from './features';

const user = (content: unknown): ChatLike => ({ messages: [{ role: 'user', content }] });

/** A copy of what a scan returned (the scanner reuses its buffers). */
function snapshot(scanner: FeatureScanner, body: ChatLike) {
  const fv = scanner.extract(body);
  return { indices: [...fv.indices.slice(0, fv.count)].sort((a, b) => a - b), dense: [...fv.dense], category: fv.category, stats: { ...fv.stats, kw: [...fv.stats.kw] } };
}

describe('FeatureScanner', () => {
  const body = user('A train leaves at 3:15 pm and travels 120 miles at 40 mph. When does it arrive? Show the total time for each leg.');

  it('is deterministic: same body, same features — across scanners and regardless of the previous call', () => {
    const a = new FeatureScanner();
    const first = snapshot(a, body);
    snapshot(a, user('Something else entirely, 42 times over.'));
    assert.deepEqual(snapshot(a, body), first);
    assert.deepEqual(snapshot(new FeatureScanner(), body), first);
    assert.equal(first.dense.length, DENSE_DIM);
    assert.ok(first.dense.every((x) => x >= 0 && x <= 1), 'dense features lie in [0, 1]');
  });

  it('de-duplicates: repeating filler adds no hashed feature and no sentence', () => {
    const s = new FeatureScanner();
    const once = snapshot(s, user('What is the capital of France? The weather was pleasant today.'));
    const many = snapshot(s, user(`What is the capital of France? ${'The weather was pleasant today. '.repeat(200)}`));
    assert.deepEqual(many.indices, once.indices);
    assert.equal(many.stats.sentences, once.stats.sentences);
    assert.equal(many.stats.distinctWords, once.stats.distinctWords);
  });

  it('reads at most READ_CAP characters of a 1 MB prompt, in well under a millisecond', () => {
    const s = new FeatureScanner();
    const huge = 'lorem ipsum dolor sit amet, consectetur adipiscing elit 12345. '.repeat(17000);
    assert.ok(huge.length > 1_000_000);
    const b = { messages: [{ role: 'system', content: huge }, { role: 'user', content: huge }, { role: 'assistant', content: huge }, { role: 'user', content: huge }] };
    const fv = s.extract(b);
    assert.ok(fv.stats.readChars <= READ_CAP, `read ${fv.stats.readChars}`);
    assert.ok(fv.count <= MAX_ACTIVE);
    assert.equal(fv.stats.totalChars, 4 * huge.length, 'lengths are summed without reading');
    const times: number[] = [];
    for (let i = 0; i < 21; i++) {
      const t0 = process.hrtime.bigint();
      s.extract(b);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((x, y) => x - y);
    assert.ok(times[10] < 1, `median ${times[10]} ms`);
  });

  it('reads the last user message first, head and tail when it is long', () => {
    const s = new FeatureScanner();
    const long = `${'alpha '.repeat(2000)}zulu question at the very end?`;
    const fv = s.extract({ messages: [{ role: 'user', content: 'an earlier turn' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: long }] });
    assert.equal(fv.stats.questionMarks, 1, 'the tail of the last user message is read');
    assert.equal(fv.stats.readChars, READ_CAP);
  });

  it('reads the request shape: turns, system prompt, tools, response_format, max_tokens, images, parts', () => {
    const s = new FeatureScanner();
    const fv = s.extract({
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: [{ type: 'text', text: 'What is in this picture?' }, { type: 'image_url', image_url: { url: 'data:,' } }] },
      ],
      tools: [{ type: 'function', function: { name: 'f' } }],
      response_format: { type: 'json_object' },
      max_tokens: 256,
    });
    const st = fv.stats;
    assert.deepEqual([st.messages, st.hasSystem, st.tools, st.jsonFormat, st.maxTokens, st.images], [2, 1, 1, 1, 256, 1]);
    assert.equal(st.whStart, 1);
    assert.equal(fv.category, 'tools');
  });

  it('counts scripts and math/code markers', () => {
    const s = new FeatureScanner();
    assert.ok(snapshot(s, user('北京是中国的首都吗？')).stats.cjk >= 8);
    assert.ok(snapshot(s, user('Сколько будет два плюс два?')).stats.cyrillic >= 15);
    const m = snapshot(s, user('Compute $\\int_0^1 x^2 dx$ and 3/4 + 2.5 = ? (50%)')).stats;
    assert.ok(m.latex >= 1 && m.fractions === 1 && m.decimals === 1 && m.percents === 1 && m.operators >= 2);
    const c = snapshot(s, user('```js\nfunction f(x) {\n    return x === 1 && y;\n}\n```')).stats;
    assert.ok(c.codeFences === 2 && c.braces === 2 && c.codeOps >= 1 && c.indentedLines === 1);
  });

  it('survives bodies that are not quite chat bodies', () => {
    const s = new FeatureScanner();
    for (const b of [{}, { messages: 'x' }, { messages: [null, 1, { role: 'user' }, { role: 'user', content: 7 }] }, { messages: [{ role: 'user', content: [null, { type: 'text' }] }] }]) {
      const fv = s.extract(b as ChatLike);
      assert.equal(fv.count, 0);
      assert.equal(fv.category, 'chat');
    }
  });
  describe('question and context (FeatureVector.region)', () => {
    const s = new FeatureScanner();
    const question = (text: string) => {
      const fv = s.extract(user(text));
      return [...fv.indices.slice(0, fv.count)].filter((_, i) => fv.region[i] === 1).sort((a, b) => a - b);
    };
    const dense = (text: string) => [...s.extract(user(text)).dense];
    const filler = 'The old man walked to the quiet park this morning. My cousin painted the kitchen after lunch.';
    const q = 'Which ocean is the largest?';

    it('the question is the last sentence ending with "?": text before or after it is context', () => {
      const plain = question(q);
      assert.ok(plain.length > 0);
      assert.deepEqual(question(`${q} ${filler}`), plain);
      assert.deepEqual(question(`${filler} ${q}`), plain);
      assert.deepEqual(question(`${filler} ${q} He asked "why?" and left.`), plain, 'a quoted question is reported speech');
    });

    it('without a "?", the first sentence that opens with an instruction word; lettered options belong to it', () => {
      const instruction = 'Translate "thank you" into Spanish.';
      assert.deepEqual(question(`${filler} ${instruction} ${filler}`), question(instruction));
      const fv = s.extract(user('Which planet is largest?\nA. Mars\nB. Jupiter\nC. Venus\nD. Earth\nAnswer:'));
      assert.ok(fv.region.slice(0, fv.count).every((r) => r === 1));
    });

    it('text without numbers or quantity words leaves every dense feature as it was (SIZE, markers, MATH)', () => {
      for (const text of [q, 'A shop sells 12 apples at $3 each. How much do 5 apples cost?']) {
        assert.deepEqual(dense(`${filler} ${text}`), dense(text));
        assert.deepEqual(dense(`${text} ${filler}`), dense(text));
      }
    });

    it('the MATH group is on only for open prompts with two or more distinct numbers', () => {
      assert.equal(s.extract(user('A shop sells 12 apples at $3 each. How much do 5 apples cost?')).dense[MATH_START], 1);
      assert.equal(s.extract(user(q)).dense[MATH_START], 0);
      assert.equal(s.extract(user('What is 12 + 30?\nA. 42\nB. 43\nC. 41\nD. 40\nAnswer:')).dense[MATH_START], 0);
    });
  });
});
