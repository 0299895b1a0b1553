import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { decode, encode } from './codec';

describe('codec', () => {
  it('round-trips JSON values, including non-ASCII text', () => {
    const value = {
      requestId: 'req_1',
      n: 3,
      ok: true,
      nothing: null,
      nested: { list: [1, 'two', { three: 3 }] },
      text: 'héllo 你好 👋\n"quoted"',
      costNano: '140000000',
    };
    const bytes = encode(value);
    assert.ok(bytes instanceof Uint8Array);
    assert.deepEqual(decode(bytes), value);
  });

  it('encodes as UTF-8 JSON', () => {
    assert.deepEqual([...encode({ a: 'é' })], [...Buffer.from('{"a":"é"}', 'utf8')]);
    assert.equal(decode<string>(Buffer.from('"ok"')), 'ok');
  });

  it('refuses bigint, so money has to travel as strings', () => {
    assert.throws(() => encode({ amount: 1n }), TypeError);
  });

  it('throws on bytes that are not JSON', () => {
    assert.throws(() => decode(new TextEncoder().encode('not json')), SyntaxError);
  });
});
