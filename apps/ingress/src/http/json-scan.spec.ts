import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { JsonScanner, MAX_JSON_CONTAINERS, MAX_JSON_DEPTH, parseJsonBody, scanJsonBytes } from './json-scan';

/** Scans `text` cut into chunks of `size` bytes, as it would arrive from a socket. */
function scanInChunks(text: string, size: number) {
  const buf = Buffer.from(text);
  const scanner = new JsonScanner();
  for (let i = 0; i < buf.length; i += size) {
    const refused = scanner.push(buf.subarray(i, i + size));
    if (refused) return refused;
  }
  return null;
}

describe('JsonScanner', () => {
  it('refuses 700k tiny messages after the first 50k, before parsing, in a few milliseconds', () => {
    const body = JSON.stringify({ model: 'm', messages: Array.from({ length: 700_000 }, () => ({ role: 'user' })) });
    const started = performance.now();
    const refused = scanJsonBytes(Buffer.from(body));
    assert.match(refused?.message ?? '', new RegExp(`more than ${MAX_JSON_CONTAINERS}`));
    assert.ok(performance.now() - started < 100);
  });

  it('refuses nesting past the limit, and counts no bracket inside a string', () => {
    assert.match(scanJsonBytes(Buffer.from('['.repeat(MAX_JSON_DEPTH + 1)))?.message ?? '', /nested/);
    assert.equal(scanJsonBytes(Buffer.from('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH))), null);
    assert.equal(scanJsonBytes(Buffer.from(JSON.stringify({ text: '['.repeat(100_000) + '{"\\"[' }))), null);
  });

  it('gives the same verdict whatever the chunking, escapes and quotes split across chunks included', () => {
    const inside = JSON.stringify({ s: 'a\\"[[[{{{' + '\\\\'.repeat(5) + '"[', t: ['x', { u: '\\' }] });
    // The object itself is one level: MAX_JSON_DEPTH - 1 arrays inside it is the deepest allowed.
    const deep = `{"a":"${'\\\\'.repeat(3)}\\"",` + '"b":' + '['.repeat(MAX_JSON_DEPTH - 1) + ']'.repeat(MAX_JSON_DEPTH - 1) + '}';
    const tooDeep = `{"a":"\\"[[[[","b":` + '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH) + '}';
    for (const [text, expected] of [[inside, null], [deep, null], [tooDeep, 'nested']] as const) {
      JSON.parse(text);
      for (const size of [1, 2, 3, 5, 7, 64, 1 << 20]) {
        const verdict = scanInChunks(text, size);
        if (expected === null) assert.equal(verdict, null, `${size}: ${verdict?.message}`);
        else assert.match(verdict?.message ?? '', /nested/, `chunks of ${size}`);
      }
    }
  });

  // Regression: every escape searched for the next quote from scratch, so 1M `\n` escapes took 5 s.
  it('is linear on strings full of escapes, in any chunking', () => {
    const text = JSON.stringify({ model: 'm', xyz: '\n'.repeat(1_000_000), t: '\t\u0001'.repeat(200_000) });
    for (const size of [64 * 1024, 1 << 22]) {
      const started = performance.now();
      assert.equal(scanInChunks(text, size), null);
      assert.ok(performance.now() - started < 150, `chunks of ${size}: ${(performance.now() - started).toFixed(0)} ms`);
    }
  });

  it('skips a large string (an image as a data URL) at memcpy speed', () => {
    const body = Buffer.from(JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${'A'.repeat(15_000_000)}` } }] }] }));
    const started = performance.now();
    assert.equal(scanJsonBytes(body), null);
    assert.ok(performance.now() - started < 100);
  });

  it('parses like Fastify: prototype poisoning refused', () => {
    assert.deepEqual(parseJsonBody(Buffer.from('{"a":[1,2]}')), { a: [1, 2] });
    assert.throws(() => parseJsonBody(Buffer.from('{"__proto__":{"x":1}}')));
    assert.throws(() => parseJsonBody(Buffer.from('  ')));
  });
});
