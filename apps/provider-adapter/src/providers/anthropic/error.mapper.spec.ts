import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  AUTHENTICATION,
  CREDIT_TOO_LOW,
  EDGE_TOO_LARGE,
  INVALID_REQUEST,
  NOT_FOUND,
  OVERLOADED,
  PERMISSION,
  PROMPT_TOO_LONG,
  RATE_LIMITED,
} from '../../../test/providers/anthropic/error.fixtures';
import { anthropicErrorInfo, mapAnthropicError, statusForErrorType } from './error.mapper';

describe('anthropicErrorInfo', () => {
  it("reads Anthropic's envelope: error.type is both code and type", () => {
    assert.deepEqual(anthropicErrorInfo(NOT_FOUND), {
      message: 'The requested resource could not be found.',
      code: 'not_found_error',
      type: 'not_found_error',
    });
  });

  it('falls back to the generic reading for other bodies', () => {
    assert.deepEqual(anthropicErrorInfo(JSON.stringify({ error: { message: 'proxy says no', type: 'server_error' } })), {
      message: 'proxy says no',
      code: null,
      type: 'server_error',
    });
    assert.deepEqual(anthropicErrorInfo(EDGE_TOO_LARGE), { message: null, code: null, type: null });
  });
});

describe('mapAnthropicError', () => {
  it('401 authentication_error → upstream_auth_error, not the caller’s 401, without the upstream wording', () => {
    const err = mapAnthropicError(401, AUTHENTICATION, undefined);
    assert.equal(err.code, 'upstream_auth_error');
    assert.equal(err.status, 502);
    assert.equal(err.retryable, true);
    assert.doesNotMatch(err.message, /x-api-key/);
  });

  it('403 permission_error → upstream_auth_error', () => {
    assert.equal(mapAnthropicError(403, PERMISSION, undefined).code, 'upstream_auth_error');
  });

  it('400 "prompt is too long" → context_length_exceeded on messages', () => {
    const err = mapAnthropicError(400, PROMPT_TOO_LONG, undefined);
    assert.equal(err.code, 'context_length_exceeded');
    assert.equal(err.status, 400);
    assert.equal(err.param, 'messages');
    assert.equal(err.message, 'prompt is too long: 210000 tokens > 200000 maximum');
  });

  it('400 "credit balance is too low" → upstream_quota_error (a channel problem, retryable elsewhere)', () => {
    const err = mapAnthropicError(400, CREDIT_TOO_LOW, undefined);
    assert.equal(err.code, 'upstream_quota_error');
    assert.equal(err.status, 502);
    assert.equal(err.retryable, true);
  });

  it('402 billing_error → upstream_quota_error', () => {
    const body = JSON.stringify({ type: 'error', error: { type: 'billing_error', message: 'Payment failed' } });
    assert.equal(mapAnthropicError(402, body, undefined).code, 'upstream_quota_error');
  });

  it('429 rate_limit_error → rate_limit_exceeded with the retry-after seconds', () => {
    const err = mapAnthropicError(429, RATE_LIMITED, '7');
    assert.equal(err.code, 'rate_limit_exceeded');
    assert.equal(err.status, 429);
    assert.equal(err.retryable, true);
    assert.equal(err.retryAfterMs, 7000);
    assert.equal(mapAnthropicError(429, RATE_LIMITED, undefined).retryAfterMs, undefined);
  });

  it('529 overloaded_error → retryable upstream_error', () => {
    const err = mapAnthropicError(529, OVERLOADED, undefined);
    assert.equal(err.code, 'upstream_error');
    assert.equal(err.status, 502);
    assert.equal(err.retryable, true);
    assert.match(err.message, /overloaded/i);
  });

  it('400 invalid_request_error → invalid_request with the message, sanitised', () => {
    const err = mapAnthropicError(400, INVALID_REQUEST, undefined);
    assert.equal(err.code, 'invalid_request');
    assert.equal(err.status, 400);
    assert.equal(err.retryable, false);
    assert.equal(err.message, 'messages.1.content.0.image.source.base64: image exceeds 5 MB maximum: 7340032 bytes > 5242880 bytes, see [url]');
  });

  it('500 api_error and 404 → retryable upstream_error naming only the status; 413 from the edge → invalid_request', () => {
    const api = mapAnthropicError(500, JSON.stringify({ type: 'error', error: { type: 'api_error', message: 'internal detail' } }), undefined);
    assert.equal(api.code, 'upstream_error');
    assert.equal(api.retryable, true);
    assert.doesNotMatch(api.message, /internal detail/);
    assert.equal(mapAnthropicError(404, NOT_FOUND, undefined).retryable, true);
    const edge = mapAnthropicError(413, EDGE_TOO_LARGE, undefined);
    assert.equal(edge.code, 'invalid_request');
    assert.doesNotMatch(edge.message, /html|Entity/i);
  });
});

describe('statusForErrorType', () => {
  it("gives each documented type its HTTP status, 500 for an unknown one", () => {
    assert.equal(statusForErrorType('invalid_request_error'), 400);
    assert.equal(statusForErrorType('authentication_error'), 401);
    assert.equal(statusForErrorType('billing_error'), 402);
    assert.equal(statusForErrorType('permission_error'), 403);
    assert.equal(statusForErrorType('not_found_error'), 404);
    assert.equal(statusForErrorType('request_too_large'), 413);
    assert.equal(statusForErrorType('rate_limit_error'), 429);
    assert.equal(statusForErrorType('api_error'), 500);
    assert.equal(statusForErrorType('timeout_error'), 504);
    assert.equal(statusForErrorType('overloaded_error'), 529);
    assert.equal(statusForErrorType('brand_new_error'), 500);
    assert.equal(statusForErrorType(null), 500);
  });
});
