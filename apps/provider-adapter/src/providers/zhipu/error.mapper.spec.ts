import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { mapZhipuError, zhipuErrorInfo } from './error.mapper';
import { ERRORS } from '../../../test/providers/zhipu/zhipu.fixtures';

const map = (e: { status: number; body: string }, retryAfter?: string) => mapZhipuError(e.status, e.body, retryAfter);

describe('zhipu error mapper', () => {
  it('extracts code and message from {"error":{"code","message"}} and from the v3 flat body', () => {
    assert.deepEqual(zhipuErrorInfo(ERRORS.promptTooLong.body), { code: '1261', message: 'Prompt 超长', type: null });
    assert.deepEqual(zhipuErrorInfo('{"code":1261,"msg":"Prompt 超长","success":false}'), { code: '1261', message: 'Prompt 超长', type: null });
    assert.deepEqual(zhipuErrorInfo('<html>502 Bad Gateway</html>'), { code: null, message: '<html>502 Bad Gateway</html>', type: null });
    assert.deepEqual(zhipuErrorInfo(ERRORS.dailyLimit.body).type, 'insufficient_quota');
  });

  it('401 with 1000/1001/1002 → upstream_auth_error, retryable, without the upstream wording', () => {
    for (const e of [ERRORS.authFailed, ERRORS.noAuthHeader, ERRORS.badToken]) {
      const err = map(e);
      assert.deepEqual([err.code, err.status, err.retryable], ['upstream_auth_error', 502, true], e.body);
      assert.doesNotMatch(err.message, /Authentication|身份验证/);
    }
  });

  it('429 with 1113 (欠费) or 1304 (daily limit) → upstream_quota_error, not a rate limit', () => {
    for (const e of [ERRORS.arrears, ERRORS.dailyLimit]) {
      const err = map(e, '30');
      assert.deepEqual([err.code, err.status, err.retryable], ['upstream_quota_error', 502, true], e.body);
    }
  });

  it('1261 (Prompt 超长) → context_length_exceeded on messages', () => {
    const err = map(ERRORS.promptTooLong);
    assert.deepEqual([err.code, err.status, err.param, err.message], ['context_length_exceeded', 400, 'messages', 'Prompt 超长']);
  });

  it('400 with 1210/1214 → invalid_request with the cleaned upstream message; 1301 (sensitive) too', () => {
    assert.deepEqual([map(ERRORS.badParameters).code, map(ERRORS.badParameters).message], ['invalid_request', 'API 调用参数有误，请检查文档']);
    assert.deepEqual([map(ERRORS.badField).code, map(ERRORS.badField).message], ['invalid_request', 'messages 参数非法。请检查文档']);
    const sensitive = map(ERRORS.sensitive);
    assert.deepEqual([sensitive.code, sensitive.status, sensitive.retryable], ['invalid_request', 400, false]);
    const dirty = mapZhipuError(400, JSON.stringify({ error: { code: '1214', message: 'see https://open.bigmodel.cn/dev/api key 8c4bd2a2b6d0487a9e21f1b3c0d5e6f7.Zk3pQ9xLm2VtR7aB' } }), undefined);
    assert.equal(dirty.message, 'see [url] key [redacted]');
  });

  it('429 with 1302/1303/1305 → rate_limit_exceeded, retryable, honouring Retry-After', () => {
    for (const e of [ERRORS.concurrency, ERRORS.frequency, ERRORS.trafficLimit]) {
      const err = map(e, '2');
      assert.deepEqual([err.code, err.status, err.retryable, err.retryAfterMs], ['rate_limit_exceeded', 429, true, 2000], e.body);
    }
  });

  it('500 → retryable upstream_error naming only the status', () => {
    const err = map(ERRORS.internal);
    assert.deepEqual([err.code, err.retryable], ['upstream_error', true]);
    assert.match(err.message, /HTTP 500/);
    assert.doesNotMatch(err.message, /内部错误/);
  });

  it('the code decides over a coarse HTTP status: a missing model (1211) is the channel’s problem, retryable elsewhere', () => {
    const err = map(ERRORS.modelMissing);
    assert.deepEqual([err.code, err.retryable], ['upstream_error', true]);
    assert.equal(mapZhipuError(200, '{"error":{"code":"1302","message":"x"}}', undefined).code, 'rate_limit_exceeded');
    assert.equal(mapZhipuError(503, '', undefined).code, 'upstream_error');
  });
});
