import { strict as assert } from 'node:assert';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, it } from 'node:test';
import { HTTP_FAILURES, type HttpFailure } from '../directives/directive-parser.service';
import { ProviderError } from '../http/provider-error';
import { ANTHROPIC_ERRORS } from './anthropic/anthropic.dialect';
import { DEEPSEEK_ERRORS } from './deepseek/deepseek.dialect';
import { dialectFor } from './wire.registry';
import type { ErrorDialect } from './error-dialect';
import { MOONSHOT_ERRORS } from './moonshot/moonshot.dialect';
import { OPENAI_ERRORS } from './openai/openai.dialect';
import { QWEN_ERRORS } from './qwen/qwen.dialect';
import { ZHIPU_ERRORS } from './zhipu/zhipu.dialect';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Case {
  dialect: ErrorDialect;
  /** The field clients branch on, read from the body. */
  code: (body: Json) => string;
  /** Top-level keys of every error body. */
  keys: string[];
  /** Keys of the inner `error` object. */
  errorKeys: string[];
  failures: Record<HttpFailure, [status: number, code: string]>;
}

const CASES: Record<string, Case> = {
  openai: {
    dialect: OPENAI_ERRORS,
    code: (b) => b.error.code ?? b.error.type,
    keys: ['error'],
    errorKeys: ['code', 'message', 'param', 'type'],
    failures: {
      '500': [500, 'server_error'],
      '429': [429, 'rate_limit_exceeded'],
      '400': [400, 'invalid_value'],
      '401': [401, 'invalid_api_key'],
      quota: [429, 'insufficient_quota'],
      context: [400, 'context_length_exceeded'],
      overloaded: [503, 'server_error'],
      'content-filter': [400, 'content_policy_violation'],
    },
  },
  deepseek: {
    dialect: DEEPSEEK_ERRORS,
    code: (b) => b.error.type,
    keys: ['error'],
    errorKeys: ['code', 'message', 'param', 'type'],
    failures: {
      '500': [500, 'api_error'],
      '429': [429, 'rate_limit_error'],
      '400': [400, 'invalid_request_error'],
      '401': [401, 'authentication_error'],
      quota: [402, 'unknown_error'],
      context: [400, 'invalid_request_error'],
      overloaded: [503, 'service_unavailable_error'],
      'content-filter': [400, 'invalid_request_error'],
    },
  },
  moonshot: {
    dialect: MOONSHOT_ERRORS,
    code: (b) => b.error.type,
    keys: ['error'],
    errorKeys: ['message', 'type'],
    failures: {
      '500': [500, 'server_error'],
      '429': [429, 'rate_limit_reached_error'],
      '400': [400, 'invalid_request_error'],
      '401': [401, 'incorrect_api_key_error'],
      quota: [429, 'exceeded_current_quota_error'],
      context: [400, 'invalid_request_error'],
      overloaded: [429, 'engine_overloaded_error'],
      'content-filter': [400, 'content_filter'],
    },
  },
  qwen: {
    dialect: QWEN_ERRORS,
    code: (b) => b.error.code,
    keys: ['error', 'request_id'],
    errorKeys: ['code', 'message', 'param', 'type'],
    failures: {
      '500': [500, 'internal_error'],
      '429': [429, 'limit_requests'],
      '400': [400, 'invalid_parameter_error'],
      '401': [401, 'invalid_api_key'],
      quota: [400, 'Arrearage'],
      context: [400, 'invalid_parameter_error'],
      overloaded: [503, 'ServiceUnavailable'],
      'content-filter': [400, 'data_inspection_failed'],
    },
  },
  zhipu: {
    dialect: ZHIPU_ERRORS,
    code: (b) => b.error.code,
    keys: ['error'],
    errorKeys: ['code', 'message'],
    failures: {
      '500': [500, '500'],
      '429': [429, '1302'],
      '400': [400, '1210'],
      '401': [401, '1000'],
      quota: [429, '1113'],
      context: [400, '1261'],
      overloaded: [429, '1305'],
      'content-filter': [400, '1301'],
    },
  },
  anthropic: {
    dialect: ANTHROPIC_ERRORS,
    code: (b) => b.error.type,
    keys: ['error', 'request_id', 'type'],
    errorKeys: ['message', 'type'],
    failures: {
      '500': [500, 'api_error'],
      '429': [429, 'rate_limit_error'],
      '400': [400, 'invalid_request_error'],
      '401': [401, 'authentication_error'],
      quota: [400, 'invalid_request_error'],
      context: [400, 'invalid_request_error'],
      overloaded: [529, 'overloaded_error'],
      'content-filter': [400, 'invalid_request_error'],
    },
  },
};

function thrown(run: () => void): ProviderError {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof ProviderError, String(err));
    return err;
  }
  assert.fail('expected an error');
}

describe('error dialects', () => {
  for (const [name, c] of Object.entries(CASES)) {
    describe(name, () => {
      it('renders every scripted failure with the provider status, code and body shape', () => {
        for (const failure of HTTP_FAILURES) {
          const error = c.dialect.scripted(failure, { retryAfterSeconds: 7 });
          const body = error.body() as Json;
          assert.deepEqual([error.status, c.code(body)], c.failures[failure], `${name} fail=${failure}`);
          assert.deepEqual(Object.keys(body).sort(), c.keys, `${name} fail=${failure} keys`);
          assert.deepEqual(Object.keys(body.error).sort(), c.errorKeys, `${name} fail=${failure} error keys`);
          assert.ok(String(body.error.message).length > 0);
        }
      });

      it('tells the client when to retry a rate limit', () => {
        assert.equal(c.dialect.scripted('429', { retryAfterSeconds: 7 }).headers['retry-after'], '7');
      });

      it('refuses the revoked key and a missing credential with 401, and accepts any other key', () => {
        const credential = (key: string): IncomingHttpHeaders =>
          name === 'anthropic' ? { 'x-api-key': key, 'anthropic-version': '2023-06-01' } : { authorization: `Bearer ${key}` };
        assert.equal(thrown(() => c.dialect.authenticate({})).status, 401);
        assert.equal(thrown(() => c.dialect.authenticate(credential('sk-invalid'))).status, 401);
        assert.doesNotThrow(() => c.dialect.authenticate(credential('sk-anything-1234')));
      });

      it('words framework errors in the same format', () => {
        for (const error of [c.dialect.unparsableBody(), c.dialect.notFound('POST', '/x'), c.dialect.serverError(), c.dialect.clientError(415, 'nope')]) {
          assert.deepEqual(Object.keys(error.body() as Json).sort(), c.keys);
        }
        assert.equal(c.dialect.notFound('POST', '/x').status, 404);
        assert.equal(c.dialect.serverError().status, 500);
      });
    });
  }

  it('reports a failure inside a started stream the way each provider does', () => {
    for (const dialect of [OPENAI_ERRORS, DEEPSEEK_ERRORS, MOONSHOT_ERRORS, QWEN_ERRORS, ZHIPU_ERRORS]) {
      const frame = dialect.streamError();
      assert.match(frame, /^data: \{"error":\{.*\n\n$/s);
      const { request_id: _id, ...sent } = JSON.parse(frame.slice('data: '.length)) as Json;
      const { request_id: _other, ...serverError } = dialect.serverError().body() as Json;
      assert.deepEqual(sent, serverError);
    }
    assert.equal(
      ANTHROPIC_ERRORS.streamError(),
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    );
  });

  it('re-words a validation problem: DeepSeek 422 naming the field, Zhipu 1213, Qwen invalid_parameter_error', () => {
    const missing = { message: "Missing required parameter: 'messages'.", param: 'messages', code: 'missing_required_parameter' };
    const deepseek = DEEPSEEK_ERRORS.invalidRequest(missing);
    assert.equal(deepseek.status, 422);
    assert.match((deepseek.body() as Json).error.message, /missing field `messages`/);
    assert.equal((ZHIPU_ERRORS.invalidRequest(missing).body() as Json).error.code, '1213');
    assert.equal((QWEN_ERRORS.invalidRequest(missing).body() as Json).error.code, 'invalid_parameter_error');
    assert.deepEqual(OPENAI_ERRORS.invalidRequest(missing).body(), {
      error: { message: missing.message, type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter' },
    });
  });

  describe('credentials', () => {
    it('Zhipu takes a plain key or a three-part JWT, and refuses a malformed token', () => {
      const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
      assert.doesNotThrow(() => ZHIPU_ERRORS.authenticate(bearer('0123456789abcdef.secretpart')));
      assert.doesNotThrow(() => ZHIPU_ERRORS.authenticate(bearer('eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2lnbmF0dXJl')));
      const malformed = thrown(() => ZHIPU_ERRORS.authenticate(bearer('eyJh.!!.sig')));
      assert.deepEqual([malformed.status, (malformed.body() as Json).error.code], [401, '1002']);
      assert.equal((thrown(() => ZHIPU_ERRORS.authenticate({})).body() as Json).error.code, '1001');
    });

    it('Anthropic needs an API version, and takes the key as x-api-key or as a bearer token', () => {
      const noVersion = thrown(() => ANTHROPIC_ERRORS.authenticate({ 'x-api-key': 'sk-ant-1' }));
      assert.deepEqual([noVersion.status, (noVersion.body() as Json).error.message], [400, 'anthropic-version: header is required']);
      assert.doesNotThrow(() => ANTHROPIC_ERRORS.authenticate({ authorization: 'Bearer sk-ant-1', 'anthropic-version': '2023-06-01' }));
      const missing = thrown(() => ANTHROPIC_ERRORS.authenticate({ 'anthropic-version': '2023-06-01' }));
      assert.equal((missing.body() as Json).error.message, 'x-api-key header is required');
      assert.match(missing.headers['request-id'], /^req_/);
    });

    it('DeepSeek explains the expected header format when the bearer token is missing', () => {
      const missing = thrown(() => DEEPSEEK_ERRORS.authenticate({ authorization: 'sk-no-scheme' }));
      assert.match((missing.body() as Json).error.message, /auth header format should be Bearer/);
    });
  });

  it('picks the dialect by path prefix, OpenAI for everything else', () => {
    assert.equal(dialectFor('/deepseek/chat/completions'), DEEPSEEK_ERRORS);
    assert.equal(dialectFor('/moonshot/v1/embeddings'), MOONSHOT_ERRORS);
    assert.equal(dialectFor('/qwen/compatible-mode/v1/chat/completions?x=1'), QWEN_ERRORS);
    assert.equal(dialectFor('/zhipu/api/paas/v4/embeddings'), ZHIPU_ERRORS);
    assert.equal(dialectFor('/anthropic'), ANTHROPIC_ERRORS);
    assert.equal(dialectFor('/anthropicx/v1/messages'), OPENAI_ERRORS);
    assert.equal(dialectFor('/v1/chat/completions'), OPENAI_ERRORS);
    assert.equal(dialectFor('/openai/v1/embeddings'), OPENAI_ERRORS);
  });
});
