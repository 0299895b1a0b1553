import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseBase64DataUrl } from './data-url';

/** The regex this parser replaced: the reference for what counts as a base64 data URL. */
const REFERENCE = /^data:([^;,]+)[^,]*;base64,(.+)$/s;

describe('parseBase64DataUrl', () => {
  it('splits a base64 data URL into its media type and data', () => {
    assert.deepEqual(parseBase64DataUrl('data:image/png;base64,iVBORw0KGgo='), { mediaType: 'image/png', data: 'iVBORw0KGgo=' });
    assert.deepEqual(parseBase64DataUrl('data:application/pdf;name=a.pdf;base64,JVBERi0='), { mediaType: 'application/pdf', data: 'JVBERi0=' });
    // Only the first comma ends the parameters; the data may hold anything after it.
    assert.deepEqual(parseBase64DataUrl('data:image/png;base64,ab,c\nd'), { mediaType: 'image/png', data: 'ab,c\nd' });
  });

  it('refuses what is not a base64 data URL, as the old pattern did', () => {
    const cases = [
      '',
      'https://example.com/a.png',
      'data:image/png,plain',
      'data:image/png;base64,',
      'data:;base64,abc',
      'data:image/png;charset=x,;base64,abc',
      'data:image/png;base64x,abc',
      'data:image/png;BASE64,abc',
      'DATA:image/png;base64,abc',
      'data:image/png',
      'data:,;base64,abc',
      'data:image/png;base64;base64,abc',
      'data:a;base64,b',
      'data:a;b;base64,',
    ];
    for (const url of cases) {
      const m = REFERENCE.exec(url);
      assert.deepEqual(parseBase64DataUrl(url), m ? { mediaType: m[1], data: m[2] } : null, url);
    }
  });

  // Regression: the regex took ~1.2 s on a 40 KB data URL lacking `;base64,` (quadratic backtracking).
  it('answers in linear time on a long data URL without `;base64,`', () => {
    const adversarial = [`data:${'a'.repeat(200_000)}`, `data:image/png${';x'.repeat(100_000)}`, `data:${'a;'.repeat(100_000)},x`];
    const started = performance.now();
    for (const url of adversarial) assert.equal(parseBase64DataUrl(url), null);
    const ms = performance.now() - started;
    assert.ok(ms < 200, `took ${ms.toFixed(1)} ms`);
    const big = `data:image/png;base64,${'A'.repeat(200_000)}`;
    assert.equal(parseBase64DataUrl(big)?.data.length, 200_000);
  });
});
