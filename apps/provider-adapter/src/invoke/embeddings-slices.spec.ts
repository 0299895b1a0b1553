import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { sliceEmbeddings } from './embeddings-slices';

describe('sliceEmbeddings', () => {
  it('keeps a small list whole', () => {
    const response = { object: 'list', model: 'm', data: [{ index: 0, embedding: [0.1] }] };
    assert.deepEqual(sliceEmbeddings(response), [response]);
  });

  it('splits a large list into frames under the NATS limit, in order, losing nothing', () => {
    const vector = Array.from({ length: 3072 }, (_, i) => i / 3072 - 0.5);
    const data = Array.from({ length: 64 }, (_, index) => ({ object: 'embedding', index, embedding: vector }));
    const parts = sliceEmbeddings({ object: 'list', model: 'm', data });
    assert.ok(parts.length > 1);
    for (const part of parts) assert.ok(JSON.stringify(part).length < 600 * 1024, `${JSON.stringify(part).length}`);
    assert.deepEqual(
      parts.flatMap((p) => (p.data as { index: number }[]).map((d) => d.index)),
      data.map((d) => d.index),
    );
  });
});
