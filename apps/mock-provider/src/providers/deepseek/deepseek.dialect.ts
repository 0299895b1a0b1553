import type { HttpFailure } from '../../directives/directive-parser.service';
import { bearerToken, INVALID_API_KEY } from '../../http/api-key';
import { ProviderError } from '../../http/provider-error';
import type { ErrorDialect } from '../error-dialect';


/** DeepSeek copies OpenAI's error object, but puts `invalid_request_error` in `code` and its own words in `type`. */
function deepseekError(status: number, message: string, type: string, headers: Record<string, string> = {}): ProviderError {
  return new ProviderError(status, { error: { message, type, param: null, code: 'invalid_request_error' } }, headers, message);
}

const unauthorized = (message: string) => deepseekError(401, message, 'authentication_error');

const SCRIPTED: Record<HttpFailure, (retryAfterSeconds: number) => ProviderError> = {
  '500': () => deepseekError(500, 'Internal Server Error', 'api_error'),
  '429': (retryAfter) => deepseekError(429, 'Rate Limit Reached', 'rate_limit_error', { 'retry-after': String(retryAfter) }),
  '400': () => deepseekError(400, 'Invalid request: rejected by the mock provider (fail=400).', 'invalid_request_error'),
  '401': () => unauthorized('Authentication Fails, Your api key: ****alid is invalid'),
  quota: () => deepseekError(402, 'Insufficient Balance', 'unknown_error'),
  context: () =>
    deepseekError(
      400,
      "This model's maximum context length is 131072 tokens. However, you requested 131334 tokens (131334 in the messages, 0 in the completion). Please reduce the length of the messages or completion.",
      'invalid_request_error',
    ),
  overloaded: () => deepseekError(503, 'Server overloaded, please try again later.', 'service_unavailable_error'),
  'content-filter': () => deepseekError(400, 'Content Exists Risk', 'invalid_request_error'),
};

/** DeepSeek's statuses: 400 unparsable body, 401, 402 no balance, 422 invalid parameters, 429, 500, 503. */
export const DEEPSEEK_ERRORS: ErrorDialect = {
  authenticate(headers) {
    const key = bearerToken(headers.authorization);
    if (!key) throw unauthorized('Authentication Fails (auth header format should be Bearer sk-...)');
    if (key === INVALID_API_KEY) throw unauthorized(`Authentication Fails, Your api key: ****${key.slice(-4)} is invalid`);
  },
  scripted: (failure, { retryAfterSeconds }) => SCRIPTED[failure](retryAfterSeconds),
  // Its Rust deserializer names the first field it could not read.
  invalidRequest: (issue) => {
    const detail = issue.code === 'missing_required_parameter' ? `missing field \`${issue.param}\`` : issue.message;
    return deepseekError(422, `Failed to deserialize the JSON body into the target type: ${detail}`, 'invalid_request_error');
  },
  unparsableBody: () => deepseekError(400, 'Failed to parse the request body as JSON', 'invalid_request_error'),
  notFound: () => deepseekError(404, 'Not Found', 'invalid_request_error'),
  clientError: (status, message) => deepseekError(status, message, 'invalid_request_error'),
  serverError: () => SCRIPTED['500'](0),
  streamError: () => `data: ${JSON.stringify(SCRIPTED['500'](0).body())}\n\n`,
};
