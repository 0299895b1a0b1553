import type { HttpFailure } from '../../directives/directive-parser.service';
import { assertApiKey } from '../../http/api-key';
import { OpenAiError } from '../../http/openai-error';
import type { ErrorDialect } from '../error-dialect';


const INVALID_JSON =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The API expects a JSON payload, but what was sent was not valid JSON.)";

const SCRIPTED: Record<HttpFailure, (retryAfterSeconds: number) => OpenAiError> = {
  '500': () => OpenAiError.serverError(),
  '429': (retryAfter) => OpenAiError.rateLimited(retryAfter),
  '400': () => OpenAiError.invalidRequest('Invalid request: rejected by the mock provider (fail=400).', null, 'invalid_value'),
  '401': () =>
    OpenAiError.invalidApiKey('Incorrect API key provided: sk-***alid. You can find your API key at https://platform.openai.com/account/api-keys.'),
  quota: () =>
    new OpenAiError(
      429,
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
      'insufficient_quota',
      'insufficient_quota',
    ),
  context: () =>
    new OpenAiError(
      400,
      "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.",
      'invalid_request_error',
      'context_length_exceeded',
      'messages',
    ),
  overloaded: () => new OpenAiError(503, 'The engine is currently overloaded, please try again later', 'server_error'),
  'content-filter': () =>
    new OpenAiError(
      400,
      'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.',
      'invalid_request_error',
      'content_policy_violation',
    ),
};

/** OpenAI's `{"error":{"message","type","param","code"}}`, also the fallback for paths outside any provider prefix. */
export const OPENAI_ERRORS: ErrorDialect = {
  authenticate: (headers) => assertApiKey(headers.authorization),
  scripted: (failure, { retryAfterSeconds }) => SCRIPTED[failure](retryAfterSeconds),
  invalidRequest: (issue) => OpenAiError.invalidRequest(issue.message, issue.param, issue.code),
  unparsableBody: () => new OpenAiError(400, INVALID_JSON, 'invalid_request_error'),
  notFound: (method, url) => OpenAiError.notFound(method, url),
  clientError: (status, message) => new OpenAiError(status, message, 'invalid_request_error'),
  serverError: () => OpenAiError.serverError(),
  // Chat Completions reports a failure after the 200 as a data event carrying the usual error object.
  streamError: () => `data: ${JSON.stringify(OpenAiError.serverError().body())}\n\n`,
};
