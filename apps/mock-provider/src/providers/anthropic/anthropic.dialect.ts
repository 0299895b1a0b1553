import { randomBytes } from 'node:crypto';
import type { HttpFailure } from '../../directives/directive-parser.service';
import { bearerToken, INVALID_API_KEY } from '../../http/api-key';
import { ProviderError } from '../../http/provider-error';
import type { ErrorDialect } from '../error-dialect';


export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

/** `{"type":"error","error":{"type","message"},"request_id"}`, with the same id in the `request-id` header. */
export function anthropicError(status: number, type: AnthropicErrorType, message: string, headers: Record<string, string> = {}): ProviderError {
  const requestId = `req_${randomBytes(12).toString('hex')}`;
  return new ProviderError(
    status,
    { type: 'error', error: { type, message }, request_id: requestId },
    { 'request-id': requestId, ...headers },
    message,
  );
}

export const invalidAnthropicRequest = (message: string) => anthropicError(400, 'invalid_request_error', message);

const OVERLOADED = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };

const SCRIPTED: Record<HttpFailure, (retryAfterSeconds: number) => ProviderError> = {
  '500': () => anthropicError(500, 'api_error', 'Internal server error'),
  '429': (seconds) =>
    anthropicError(
      429,
      'rate_limit_error',
      'This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.',
      { 'retry-after': String(seconds) },
    ),
  '400': () => invalidAnthropicRequest('Invalid request: rejected by the mock provider (fail=400).'),
  '401': () => anthropicError(401, 'authentication_error', 'invalid x-api-key'),
  // Anthropic reports an empty credit balance as a plain 400, not as a 402 or 429.
  quota: () =>
    invalidAnthropicRequest(
      'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
    ),
  context: () => invalidAnthropicRequest('prompt is too long: 200125 tokens > 200000 maximum'),
  overloaded: () => anthropicError(529, 'overloaded_error', 'Overloaded'),
  'content-filter': () => invalidAnthropicRequest('Output blocked by content filtering policy'),
};

export const ANTHROPIC_ERRORS: ErrorDialect = {
  /**
   * The documented credential is `x-api-key`; `Authorization: Bearer` is accepted too, as the current official SDK
   * (`@anthropic-ai/sdk` 1.x) sends the key that way. Every request must also name the API version.
   */
  authenticate(headers) {
    const header = headers['x-api-key'];
    const key = (typeof header === 'string' ? header.trim() : '') || bearerToken(headers.authorization);
    if (!key) throw anthropicError(401, 'authentication_error', 'x-api-key header is required');
    if (key === INVALID_API_KEY) throw SCRIPTED['401'](0);
    if (typeof headers['anthropic-version'] !== 'string' || !headers['anthropic-version'].trim()) {
      throw invalidAnthropicRequest('anthropic-version: header is required');
    }
  },
  scripted: (failure, { retryAfterSeconds }) => SCRIPTED[failure](retryAfterSeconds),
  invalidRequest: (issue) => invalidAnthropicRequest(issue.message),
  unparsableBody: () => invalidAnthropicRequest('There was an error parsing the body of your request: invalid JSON'),
  notFound: () => anthropicError(404, 'not_found_error', 'Not found'),
  clientError: (status, message) =>
    status === 413
      ? anthropicError(413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes.')
      : invalidAnthropicRequest(message),
  serverError: () => SCRIPTED['500'](0),
  // Mid-stream failures arrive as an `error` event; overloaded is the one clients actually see there.
  streamError: () => `event: error\ndata: ${JSON.stringify(OVERLOADED)}\n\n`,
};
