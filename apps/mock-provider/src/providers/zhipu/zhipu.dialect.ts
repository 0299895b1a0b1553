import type { HttpFailure } from '../../directives/directive-parser.service';
import { bearerToken, INVALID_API_KEY } from '../../http/api-key';
import { ProviderError } from '../../http/provider-error';
import type { ErrorDialect } from '../error-dialect';


/** Zhipu's body carries its business code (a string of digits) and a message; the HTTP status is coarser. */
function zhipuError(status: number, code: string, message: string, headers: Record<string, string> = {}): ProviderError {
  return new ProviderError(status, { error: { code, message } }, headers, message);
}

/** Code 1214, Zhipu's "invalid parameter" with the parameter's name in the message. */
export function invalidZhipuParameter(param: string): ProviderError {
  return zhipuError(400, '1214', `Invalid ${param} parameter. Please check the documentation`);
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

const SCRIPTED: Record<HttpFailure, (retryAfterSeconds: number) => ProviderError> = {
  '500': () => zhipuError(500, '500', 'Internal Error'),
  '429': (seconds) =>
    zhipuError(429, '1302', 'High concurrency usage of this API, please reduce concurrency or contact customer service to increase limits', {
      'retry-after': String(seconds),
    }),
  '400': () => zhipuError(400, '1210', 'Incorrect API call parameters, please check the documentation'),
  '401': () => zhipuError(401, '1000', 'Authentication Failed'),
  quota: () => zhipuError(429, '1113', 'Your account is in arrears, please recharge and try again'),
  context: () => zhipuError(400, '1261', 'Prompt exceeds max length'),
  // Zhipu reports an overloaded model with its traffic code under 429, not with a 5xx.
  overloaded: (seconds) =>
    zhipuError(429, '1305', 'The service may be temporarily overloaded, please try again later', { 'retry-after': String(seconds) }),
  'content-filter': () =>
    zhipuError(
      400,
      '1301',
      'System detected potentially unsafe or sensitive content in input or generation. Please avoid using prompts that may generate sensitive content. Thank you for your cooperation.',
    ),
};

export const ZHIPU_ERRORS: ErrorDialect = {
  /** A plain API key (`<id>.<secret>`) or a JWT signed with it: any three non-empty base64url parts pass. */
  authenticate(headers) {
    const token = bearerToken(headers.authorization);
    if (!token) throw zhipuError(401, '1001', 'Authentication parameter not received in Header, unable to authenticate');
    if (token === INVALID_API_KEY) throw SCRIPTED['401'](0);
    const parts = token.split('.');
    if (parts.length === 3 && !parts.every((part) => BASE64URL.test(part))) {
      throw zhipuError(401, '1002', 'Invalid Authentication Token, please confirm the correct transmission of the Authentication Token');
    }
  },
  scripted: (failure, { retryAfterSeconds }) => SCRIPTED[failure](retryAfterSeconds),
  invalidRequest: (issue) =>
    issue.code === 'missing_required_parameter'
      ? zhipuError(400, '1213', `${issue.param} parameter not received properly`)
      : invalidZhipuParameter(issue.param ?? 'request'),
  unparsableBody: () => zhipuError(400, '1210', 'Incorrect API call parameters, please check the documentation'),
  notFound: (_method, url) => zhipuError(404, '1222', `API ${url} does not exist`),
  clientError: (status, message) => zhipuError(status, '1210', message),
  serverError: () => SCRIPTED['500'](0),
  streamError: () => `data: ${JSON.stringify(SCRIPTED['500'](0).body())}\n\n`,
};
