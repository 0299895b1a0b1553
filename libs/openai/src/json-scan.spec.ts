import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { scanJson } from './json-scan';

const limits = { depth: 3, values: 10, stringLength: 5 };

describe('scanJson', () => {
  it('accepts a document within every cap', () => {
    assert.equal(scanJson({ a: [1, 'abcde'], b: { c: null } }, limits), null);
    assert.equal(scanJson('abc', limits), null);
  });

  it('counts the root as the first level, and names the first container past the depth', () => {
    assert.equal(scanJson({ a: { b: {} } }, limits), null);
    assert.deepEqual(scanJson({ a: { b: { c: {} } } }, limits), { kind: 'depth', path: ['a', 'b', 'c'], max: 3 });
    assert.deepEqual(scanJson([[], [[[]]]], limits), { kind: 'depth', path: [1, 0, 0], max: 3 });
  });

  it('counts every value, and names the container whose children break the budget before visiting them', () => {
    // Root + 3 keys + 5 items = 9 values.
    assert.equal(scanJson({ a: 1, b: 2, c: [1, 2, 3, 4, 5] }, limits), null);
    assert.deepEqual(scanJson({ a: 1, b: 2, c: [1, 2, 3, 4, 5, 6, 7] }, limits), { kind: 'values', path: ['c'], max: 10 });
    assert.deepEqual(scanJson(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i])), limits), { kind: 'values', path: [], max: 10 });
  });

  it('names an over-long string, but leaves binary payload keys to the body limit', () => {
    assert.deepEqual(scanJson({ m: [{ text: 'abcdef' }] }, limits), { kind: 'string', path: ['m', 0, 'text'], max: 5, actual: 6 });
    assert.equal(scanJson({ url: 'data:…', d: { data: 'AAAAAAAA', file_data: 'BBBBBBBB' } }, limits), null);
    // An over-long array item is not a binary payload even inside one.
    assert.deepEqual(scanJson({ data: ['abcdef'] }, limits), { kind: 'string', path: ['data', 0], max: 5, actual: 6 });
  });
});
