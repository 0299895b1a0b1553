import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { embeddingVector, toBase64 } from './embedding-vector';

describe('embeddingVector', () => {
  it('is a unit vector of the requested size, the same for the same text', () => {
    const v = embeddingVector('hello world', 256);
    assert.equal(v.length, 256);
    assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5);
    assert.deepEqual(embeddingVector('hello world', 256), v);
  });

  it('differs for different texts', () => {
    const a = embeddingVector('cat', 64);
    const b = embeddingVector('dog', 64);
    const cosine = a.reduce((sum, x, i) => sum + x * b[i], 0);
    assert.ok(Math.abs(cosine) < 0.9, `cosine ${cosine}`);
  });

  it('encodes base64 as little-endian float32 that decodes to the same numbers', () => {
    const v = embeddingVector('x', 8);
    const bytes = Buffer.from(toBase64(v), 'base64');
    assert.equal(bytes.length, 32);
    const decoded = Array.from({ length: 8 }, (_, i) => bytes.readFloatLE(i * 4));
    assert.deepEqual(decoded, v);
  });
});
