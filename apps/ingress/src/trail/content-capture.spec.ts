import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { boundedJson, ContentCapture } from './content-capture';

describe('boundedJson', () => {
  it('is JSON.stringify when it fits', () => {
    const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi "there"\n\u0001' }], n: 1, stream: false, skip: undefined, x: [1, undefined, null, NaN] };
    assert.deepEqual(boundedJson(body, 10_000), { text: JSON.stringify(body), truncated: false });
  });

  it('stops at the cap, a prefix of JSON.stringify, without serializing the rest', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'x'.repeat(5_000_000) }] };
    const started = process.hrtime.bigint();
    const { text, truncated } = boundedJson(body, 1_000);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(truncated, true);
    assert.equal(text.length, 1_000);
    assert.ok(JSON.stringify(body).startsWith(text));
    assert.ok(ms < 20, `took ${ms} ms`);
  });

  it('cuts inside many small values too', () => {
    const body = { a: Array.from({ length: 100_000 }, (_, i) => i) };
    const { text, truncated } = boundedJson(body, 64);
    assert.equal(truncated, true);
    assert.equal(text.length, 64);
    assert.ok(JSON.stringify(body).startsWith(text));
  });
});

describe('ContentCapture', () => {
  it('keeps the answer as sent and the request as JSON', () => {
    const c = new ContentCapture(1_000);
    c.append('data: {"a":1}\n\n');
    c.append('');
    c.append('data: [DONE]\n\n');
    assert.deepEqual(c.finish({ model: 'm' }), { request: '{"model":"m"}', response: 'data: {"a":1}\n\ndata: [DONE]\n\n', truncated: false });
  });

  it('caps the answer and says so; nothing past the cap is kept', () => {
    const c = new ContentCapture(10);
    c.append('123456');
    c.append('789012');
    c.append('more');
    assert.deepEqual(c.finish(undefined), { request: null, response: '1234567890', truncated: true });
  });

  it('a request over the cap marks the record truncated', () => {
    const c = new ContentCapture(8);
    c.append('ok');
    assert.deepEqual(c.finish({ content: 'long text' }), { request: '{"conten', response: 'ok', truncated: true });
  });
});
