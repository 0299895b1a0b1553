import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { provider as zhipu } from './index';
import { ZhipuStreamDecoder } from './stream.decoder';
import { ERRORS } from '../../../test/providers/zhipu/zhipu.fixtures';
import { PLAIN_KEY, sent, zhipuAttempt } from '../../../test/providers/zhipu/zhipu.testing';

describe('zhipu provider', () => {
  it('is the zhipu adapter on the BigModel v4 base URL, with chat and embeddings and no legacy completions', () => {
    assert.equal(zhipu.id, 'zhipu');
    assert.equal(zhipu.defaultBaseUrl, 'https://open.bigmodel.cn/api/paas/v4');
    assert.ok(zhipu.embeddings);
    assert.equal(zhipu.completions, undefined);
  });

  it('posts chat to <base>/chat/completions as an SSE request with the bearer key, the planned model, stream forced', () => {
    const req = zhipu.chat.buildRequest(zhipuAttempt('glm-4-plus'), { model: 'glm-4', messages: [{ role: 'user', content: '你好' }], stream: false, temperature: 0.5 });
    assert.equal(req.url, 'https://open.bigmodel.cn/api/paas/v4/chat/completions');
    assert.deepEqual(req.headers, { authorization: `Bearer ${PLAIN_KEY}`, 'content-type': 'application/json', accept: 'text/event-stream' });
    assert.equal(req.body, '{"model":"glm-4-plus","messages":[{"role":"user","content":"你好"}],"stream":true,"temperature":0.5}');
  });

  it("uses the channel's base URL (trailing slash or not) and sends the planned model as it is", () => {
    const req = zhipu.chat.buildRequest(zhipuAttempt('glm-4.6', { baseUrl: 'https://proxy.example/api/paas/v4/' }), { messages: [{ role: 'user', content: 'q' }] });
    assert.equal(req.url, 'https://proxy.example/api/paas/v4/chat/completions');
    assert.equal(sent(req).model, 'glm-4.6');
    // Aliases (glm-4-air → glm-4-air-250414) are the router's one mapping step: a name reaching the adapter is final.
    assert.equal(sent(zhipu.chat.buildRequest(zhipuAttempt('glm-4-air'), { messages: [{ role: 'user', content: 'q' }] })).model, 'glm-4-air');
  });

  it('signs an id.secret key into a JWT for the Authorization header', () => {
    const [id, secret] = ['0123456789abcdef0123456789abcdef', 'abcdefghABCDEFGH'];
    const req = zhipu.chat.buildRequest(zhipuAttempt('glm-4-plus', { apiKey: `${id}.${secret}` }), { messages: [{ role: 'user', content: 'q' }] });
    const token = /^Bearer (.+)$/.exec(req.headers.authorization)?.[1] ?? '';
    const [h, p, s] = token.split('.');
    assert.deepEqual(JSON.parse(Buffer.from(h, 'base64url').toString()), { alg: 'HS256', sign_type: 'SIGN' });
    assert.equal((JSON.parse(Buffer.from(p, 'base64url').toString()) as { api_key: string }).api_key, id);
    assert.equal(createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url'), s);
    assert.doesNotMatch(req.headers.authorization, new RegExp(secret));
  });

  it('posts embeddings to <base>/embeddings as JSON and parses the reply', () => {
    const req = zhipu.embeddings!.buildRequest(zhipuAttempt('embedding-3'), { model: 'embedding-3', input: 'hello', dimensions: 256 });
    assert.equal(req.url, 'https://open.bigmodel.cn/api/paas/v4/embeddings');
    assert.deepEqual(req.headers, { authorization: `Bearer ${PLAIN_KEY}`, 'content-type': 'application/json', accept: 'application/json' });
    assert.deepEqual(sent(req), { model: 'embedding-3', input: 'hello', dimensions: 256 });
    const parsed = zhipu.embeddings!.parseResponse('{"model":"embedding-3","object":"list","data":[{"index":0,"object":"embedding","embedding":[1]}],"usage":{"prompt_tokens":3,"completion_tokens":0,"total_tokens":3}}');
    assert.deepEqual(parsed.usage, { prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 });
  });

  it('creates a fresh Zhipu decoder per attempt and maps errors through the Zhipu mapper', () => {
    const a = zhipu.chat.createDecoder();
    assert.ok(a instanceof ZhipuStreamDecoder);
    assert.notEqual(a, zhipu.chat.createDecoder());
    assert.equal(zhipu.mapError(ERRORS.arrears.status, ERRORS.arrears.body, undefined).code, 'upstream_quota_error');
    assert.equal(zhipu.mapError(ERRORS.promptTooLong.status, ERRORS.promptTooLong.body, undefined).code, 'context_length_exceeded');
  });
});
