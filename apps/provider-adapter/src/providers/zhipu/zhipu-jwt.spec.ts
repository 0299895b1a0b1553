import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { isIdSecretKey, JWT_REFRESH_MARGIN_MS, JWT_TTL_MS, signZhipuJwt, ZhipuTokenCache } from './zhipu-jwt';

const ID = '8c4bd2a2b6d0487a9e21f1b3c0d5e6f7';
const SECRET = 'Zk3pQ9xLm2VtR7aB';
const KEY = `${ID}.${SECRET}`;
const NOW = 1_735_689_600_000; // 2025-01-01T00:00:00Z, in ms as Zhipu wants

/**
 * Computed outside this code base (Python's hmac/base64 and `openssl dgst -sha256 -hmac`) for the header
 * {"alg":"HS256","sign_type":"SIGN"} and payload {"api_key":ID,"exp":NOW+3600000,"timestamp":NOW}, compact JSON,
 * exactly as Zhipu's SDKs sign it.
 */
const KNOWN_GOOD =
  'eyJhbGciOiJIUzI1NiIsInNpZ25fdHlwZSI6IlNJR04ifQ.eyJhcGlfa2V5IjoiOGM0YmQyYTJiNmQwNDg3YTllMjFmMWIzYzBkNWU2ZjciLCJleHAiOjE3MzU2OTMyMDAwMDAsInRpbWVzdGFtcCI6MTczNTY4OTYwMDAwMH0.gKvrMaCOJfTAr4VTb91m7RsWuru5gGkTEV8kH_MEVjo';

function decode(token: string): { header: unknown; payload: Record<string, unknown>; signatureValid: (secret: string) => boolean } {
  const [h, p, s] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>,
    signatureValid: (secret) => createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url') === s,
  };
}

describe('zhipu JWT', () => {
  it('signs exactly the known-good vector', () => {
    assert.equal(signZhipuJwt(ID, SECRET, NOW, 3_600_000), KNOWN_GOOD);
  });

  it('carries the documented header and millisecond payload, HMAC-SHA256-signed with the secret half of the key', () => {
    const token = new ZhipuTokenCache(() => NOW).bearer(KEY);
    const { header, payload, signatureValid } = decode(token);
    assert.deepEqual(header, { alg: 'HS256', sign_type: 'SIGN' });
    assert.deepEqual(payload, { api_key: ID, exp: NOW + JWT_TTL_MS, timestamp: NOW });
    assert.equal(signatureValid(SECRET), true);
    assert.equal(signatureValid('another-secret'), false);
    assert.doesNotMatch(token, new RegExp(SECRET), 'the secret itself is never sent');
  });

  it('reuses a token per key until shortly before it expires, then signs a new one', () => {
    let now = NOW;
    const cache = new ZhipuTokenCache(() => now);
    const first = cache.bearer(KEY);
    now = NOW + JWT_TTL_MS - JWT_REFRESH_MARGIN_MS - 1;
    assert.equal(cache.bearer(KEY), first);
    now = NOW + JWT_TTL_MS - JWT_REFRESH_MARGIN_MS;
    const second = cache.bearer(KEY);
    assert.notEqual(second, first);
    assert.equal(decode(second).payload.timestamp, now);
    assert.equal(decode(second).payload.exp, now + JWT_TTL_MS);
    const other = cache.bearer('0123456789abcdef0123456789abcdef.abcdefghABCDEFGH');
    assert.equal(decode(other).payload.api_key, '0123456789abcdef0123456789abcdef');
    assert.equal(cache.bearer(KEY), second, 'keys are cached separately');
  });

  it('sends any other key unchanged: plain keys, proxy keys, ready-made tokens', () => {
    const cache = new ZhipuTokenCache(() => NOW);
    for (const key of ['sk-upstream-secret-0123456789', 'sk-proxy.with-dash', KNOWN_GOOD, 'nodotkey', 'a.b.c', '.secret', 'id.']) {
      assert.equal(cache.bearer(key), key);
      assert.equal(isIdSecretKey(key), false, key);
    }
    assert.equal(isIdSecretKey(KEY), true);
  });
});
