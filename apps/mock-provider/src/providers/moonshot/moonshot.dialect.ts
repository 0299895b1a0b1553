import type { HttpFailure } from '../../directives/directive-parser.service';
import { bearerToken, INVALID_API_KEY } from '../../http/api-key';
import { ProviderError } from '../../http/provider-error';
import type { ErrorDialect } from '../error-dialect';


/** Moonshot's error object has only `message` and `type`; the type is the code clients branch on. */
function moonshotError(status: number, type: string, message: string, headers: Record<string, string> = {}): ProviderError {
  return new ProviderError(status, { error: { message, type } }, headers, message);
}

const retryAfter = (seconds: number) => ({ 'retry-after': String(seconds) });

// Moonshot answers an exhausted balance and an overloaded engine with 429, like a rate limit: only `type` tells
// them apart, which is exactly what a gateway must get right.
const SCRIPTED: Record<HttpFailure, (retryAfterSeconds: number) => ProviderError> = {
  '500': () => moonshotError(500, 'server_error', 'Internal server error, please try again later'),
  '429': (seconds) =>
    moonshotError(
      429,
      'rate_limit_reached_error',
      `Your account org-mock<ak-mock> request reached organization max RPM: 3, please try again after ${seconds} seconds`,
      retryAfter(seconds),
    ),
  '400': () => moonshotError(400, 'invalid_request_error', 'Invalid request: rejected by the mock provider (fail=400)'),
  '401': () => moonshotError(401, 'incorrect_api_key_error', 'Incorrect API key provided'),
  quota: () =>
    moonshotError(
      429,
      'exceeded_current_quota_error',
      'Your account org-mock<ak-mock> is suspended due to insufficient balance, please recharge your account or check your plan and billing details',
    ),
  context: () => moonshotError(400, 'invalid_request_error', 'Invalid request: Your request exceeded model token limit: 262144'),
  overloaded: (seconds) =>
    moonshotError(429, 'engine_overloaded_error', 'The engine is currently overloaded, please try again later', retryAfter(seconds)),
  'content-filter': () => moonshotError(400, 'content_filter', 'The request was rejected because it was considered high risk'),
};

export const MOONSHOT_ERRORS: ErrorDialect = {
  authenticate(headers) {
    const key = bearerToken(headers.authorization);
    if (!key) throw moonshotError(401, 'invalid_authentication_error', 'Invalid Authentication');
    if (key === INVALID_API_KEY) throw SCRIPTED['401'](0);
  },
  scripted: (failure, { retryAfterSeconds }) => SCRIPTED[failure](retryAfterSeconds),
  invalidRequest: (issue) => moonshotError(400, 'invalid_request_error', `Invalid request: ${issue.message}`),
  unparsableBody: () => moonshotError(400, 'invalid_request_error', 'Invalid request: failed to parse the request body as JSON'),
  notFound: (method, url) => moonshotError(404, 'resource_not_found_error', `Not found: ${method} ${url}`),
  clientError: (status, message) => moonshotError(status, 'invalid_request_error', `Invalid request: ${message}`),
  serverError: () => SCRIPTED['500'](0),
  streamError: () => `data: ${JSON.stringify(SCRIPTED['500'](0).body())}\n\n`,
};
