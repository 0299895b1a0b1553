import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { JsonCompletionTracker } from './json-completion.tracker';

/** What the encoder asked before: trimmed non-empty and parsable. */
function parses(s: string): boolean {
  if (!s.trim()) return false;
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

function completeAfter(...fragments: string[]): boolean {
  const t = new JsonCompletionTracker();
  for (const f of fragments) t.push(f);
  return t.complete;
}

describe('JsonCompletionTracker', () => {
  const cases = [
    '',
    '   ',
    '{',
    '{}',
    ' { } \n',
    '{"city":',
    '{"city":"Paris"}',
    '{"city":"Pa}ris"',
    '{"a":"\\"}"}',
    '{"a":"\\\\"}',
    '{"a":[1,{"b":[]}]}',
    '{"a":[1,{"b":[]}]',
    '[]',
    '[[]',
    '{]',
    '{}}',
    '{} {}',
    '{}x',
    '"text"',
    '"text',
    '"a\\u00e9"',
    '"tab\there"',
    '0',
    '-',
    '-0',
    '01',
    '12',
    '1.',
    '1.5',
    '1e',
    '1e+',
    '1e+5',
    '-1.5E-3 ',
    '1 2',
    't',
    'true',
    'true ',
    'truex',
    'fals',
    'false',
    'null',
    'nul',
    'x',
  ];

  it('agrees with JSON.parse on whole texts', () => {
    for (const s of cases) assert.equal(completeAfter(s), parses(s), JSON.stringify(s));
  });

  it('gives the same answer whatever the fragments, at every prefix', () => {
    for (const s of cases) {
      const t = new JsonCompletionTracker();
      for (let i = 0; i < s.length; i++) {
        t.push(s[i]);
        assert.equal(t.complete, parses(s.slice(0, i + 1)), JSON.stringify(s.slice(0, i + 1)));
      }
    }
  });

  it('follows brackets without validating inside them', () => {
    // JSON.parse would refuse these; the stream cannot grow into valid JSON either way, so "complete" is harmless.
    assert.equal(completeAfter('{"a":}'), true);
    assert.equal(completeAfter('[1,,2]'), true);
  });

  it('reads 1 MB of arguments in 2 bytes per fragment in linear time', () => {
    const t = new JsonCompletionTracker();
    const body = `{"data":[${'"ab\\"c",{"x":[1,2]},'.repeat(50_000)}0]}`;
    const started = performance.now();
    for (let i = 0; i < body.length; i += 2) t.push(body.slice(i, i + 2));
    const ms = performance.now() - started;
    assert.equal(t.complete, true);
    assert.ok(ms < 200, `took ${ms.toFixed(1)} ms`);
  });
});
