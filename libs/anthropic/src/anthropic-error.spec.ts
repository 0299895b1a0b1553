import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { ErrorResponse } from '@anthropic-ai/sdk/resources/shared';
import { TfError } from '@tokenflow/contracts';
import { toAnthropicError } from './anthropic-error';
import { SDK_PARAMS, sdkClient } from './stream.fixture';

describe('toAnthropicError', () => {
  const table: [number, string][] = [
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [402, 'billing_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [415, 'invalid_request_error'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [502, 'api_error'],
    [503, 'overloaded_error'],
    [504, 'timeout_error'],
    [529, 'overloaded_error'],
  ];
  for (const [status, type] of table) {
    it(`gives ${status} the type ${type}`, () => {
      assert.deepEqual(toAnthropicError({ status, code: 'x', message: 'Something.', type: 'whatever' }), {
        status,
        body: { type: 'error', error: { type, message: 'Something.' }, request_id: null },
      });
    });
  }

  it('renders our TfErrors, carrying the request id, in the shape the SDK types', () => {
    const { status, body } = toAnthropicError(new TfError('rate_limit_exceeded', 'Rate limit reached for requests per minute.'), 'req_1');
    const expected: ErrorResponse = { type: 'error', error: { type: 'rate_limit_error', message: 'Rate limit reached for requests per minute.' }, request_id: 'req_1' };
    assert.equal(status, 429);
    assert.deepEqual(body, expected);
    assert.deepEqual(toAnthropicError(new TfError('model_not_found', 'No model "x".')).body.error, { type: 'not_found_error', message: 'No model "x".' });
    assert.deepEqual(toAnthropicError(new TfError('upstream_timeout', 'Upstream timed out.')).body.error.type, 'timeout_error');
  });

  it('turns an exhausted quota (OpenAI: 429 insufficient_quota) into 402 billing_error, which the SDK does not retry', () => {
    const { status, body } = toAnthropicError(new TfError('insufficient_quota', 'You exceeded your quota.'));
    assert.equal(status, 402);
    assert.deepEqual(body.error, { type: 'billing_error', message: 'You exceeded your quota.' });
  });

  const classes: [number, new (...args: never[]) => Error][] = [
    [400, Anthropic.BadRequestError],
    [401, Anthropic.AuthenticationError],
    [403, Anthropic.PermissionDeniedError],
    [404, Anthropic.NotFoundError],
    [429, Anthropic.RateLimitError],
    [500, Anthropic.InternalServerError],
  ];
  for (const [status, cls] of classes) {
    it(`reaches the SDK as ${cls.name} with our message and type (${status})`, async () => {
      const { body } = toAnthropicError({ status, message: `Failure ${status}.` }, 'req_2');
      await assert.rejects(sdkClient(status, JSON.stringify(body), 'application/json').messages.create(SDK_PARAMS), (err: unknown) => {
        assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
        assert.ok(err instanceof Anthropic.APIError);
        assert.equal(err.type, body.error.type);
        assert.match(err.message, new RegExp(`Failure ${status}\\.`));
        return true;
      });
    });
  }
});
