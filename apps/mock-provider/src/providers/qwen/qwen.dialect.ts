import { randomUUID } from 'node:crypto';
import type { HttpFailure } from '../../directives/directive-parser.service';
import { bearerToken, INVALID_API_KEY } from '../../http/api-key';
import { ProviderError } from '../../http/provider-error';
import type { ErrorDialect } from '../error-dialect';


/** DashScope compatible mode: OpenAI's error object plus a top-level `request_id`. */
function dashscopeError(status: number, code: string, type: string, message: string, headers: Record<string, string> = {}): ProviderError {
  return new ProviderError(status, { error: { message, type, param: null, code }, request_id: randomUUID() }, headers, message);
}

/** Parameter problems surface as the model service's own `<400> InternalError.Algo.InvalidParameter` message. */
export function invalidParameter(detail: string): ProviderError {
  return dashscopeError(400, 'invalid_parameter_error', 'invalid_request_error', `<400> InternalError.Algo.InvalidParameter: ${detail}`);
}

const invalidKey = (message: string) => dashscopeError(401, 'invalid_api_key', 'invalid_request_error', message);

const SCRIPTED: Record<HttpFailure, (retryAfterSeconds: number) => ProviderError> = {
  '500': () =>
    dashscopeError(500, 'internal_error', 'internal_error', 'An internal error has occured, please try again later or contact service support.'),
  '429': (seconds) =>
    dashscopeError(429, 'limit_requests', 'limit_requests', 'Requests rate limit exceeded, please try again later.', {
      'retry-after': String(seconds),
    }),
  '400': () => invalidParameter('Rejected by the mock provider (fail=400).'),
  '401': () => invalidKey('Incorrect API key provided. '),
  quota: () => dashscopeError(400, 'Arrearage', 'Arrearage', 'Access denied, please make sure your account is in good standing.'),
  context: () => invalidParameter('Range of input length should be [1, 129024]'),
  overloaded: () =>
    dashscopeError(503, 'ServiceUnavailable', 'ServiceUnavailable', 'Too many requests. Your requests are being throttled due to system capacity limits.'),
  'content-filter': () =>
    dashscopeError(
      400,
      'data_inspection_failed',
      'data_inspection_failed',
      '<400> InternalError.Algo.DataInspectionFailed: Input text data may contain inappropriate content.',
    ),
};

export const QWEN_ERRORS: ErrorDialect = {
  authenticate(headers) {
    const key = bearerToken(headers.authorization);
    if (!key) throw invalidKey('No API-key provided.');
    if (key === INVALID_API_KEY) throw SCRIPTED['401'](0);
  },
  scripted: (failure, { retryAfterSeconds }) => SCRIPTED[failure](retryAfterSeconds),
  invalidRequest: (issue) => invalidParameter(issue.message),
  unparsableBody: () => invalidParameter('The request body is not valid JSON.'),
  notFound: (method, url) => dashscopeError(404, 'NotFound', 'NotFound', `Not found: ${method} ${url}`),
  clientError: (status, message) => dashscopeError(status, 'InvalidParameter', 'invalid_request_error', message),
  serverError: () => SCRIPTED['500'](0),
  streamError: () => `data: ${JSON.stringify(SCRIPTED['500'](0).body())}\n\n`,
};
