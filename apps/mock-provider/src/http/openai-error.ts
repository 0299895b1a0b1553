import { ProviderError } from './provider-error';

export type OpenAiErrorType = 'invalid_request_error' | 'rate_limit_error' | 'server_error' | 'insufficient_quota';

export interface OpenAiErrorBody {
  error: { message: string; type: OpenAiErrorType; param: string | null; code: string | null };
}

/** An error that leaves the mock exactly as OpenAI would send it: status, headers and `{"error":{...}}` body. */
export class OpenAiError extends ProviderError {
  constructor(
    status: number,
    message: string,
    readonly type: OpenAiErrorType,
    readonly code: string | null = null,
    readonly param: string | null = null,
    headers: Record<string, string> = {},
  ) {
    super(status, { error: { message, type, param, code } }, headers, message);
    this.name = 'OpenAiError';
  }

  override body(): OpenAiErrorBody {
    return super.body() as OpenAiErrorBody;
  }

  static invalidRequest(message: string, param: string | null = null, code: string | null = null): OpenAiError {
    return new OpenAiError(400, message, 'invalid_request_error', code, param);
  }

  static invalidApiKey(message: string): OpenAiError {
    return new OpenAiError(401, message, 'invalid_request_error', 'invalid_api_key');
  }

  static rateLimited(retryAfterSeconds: number): OpenAiError {
    return new OpenAiError(
      429,
      'Rate limit reached for requests. Please try again later.',
      'rate_limit_error',
      'rate_limit_exceeded',
      null,
      { 'retry-after': String(retryAfterSeconds) },
    );
  }

  static serverError(): OpenAiError {
    return new OpenAiError(500, 'The server had an error while processing your request.', 'server_error');
  }

  static notFound(method: string, url: string): OpenAiError {
    return new OpenAiError(404, `Unknown request URL: ${method} ${url}.`, 'invalid_request_error', 'unknown_url');
  }
}
