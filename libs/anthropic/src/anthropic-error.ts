/** What ingress knows about a failure: a TfError, a WireError, or an upstream error relayed as one. */
export interface ErrorLike {
  status: number;
  code?: string;
  message: string;
  type?: string;
}

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
  request_id: string | null;
}

/**
 * Anthropic's error `type` per HTTP status (docs: "HTTP errors"; other 4xx are `invalid_request_error`). 503 —
 * no channel free, the service busy — is what Anthropic calls `overloaded_error` (its 529): temporary, retry
 * later, and the SDK retries both statuses. The SDK's `timeout_error` covers our 504.
 */
const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  502: 'api_error',
  503: 'overloaded_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function anthropicErrorType(status: number): string {
  return TYPE_BY_STATUS[status] ?? (status >= 400 && status < 500 ? 'invalid_request_error' : 'api_error');
}

/**
 * Our error as Anthropic's `{type: "error", error: {type, message}, request_id}`. The status is kept, except for
 * an exhausted quota: OpenAI says 429 `insufficient_quota`, Anthropic says 402 `billing_error`, and a 429 would
 * make the Anthropic SDK retry a request that cannot succeed.
 */
export function toAnthropicError(err: ErrorLike, requestId: string | null = null): { status: number; body: AnthropicErrorBody } {
  const status = err.code === 'insufficient_quota' || err.type === 'insufficient_quota' ? 402 : err.status;
  return { status, body: { type: 'error', error: { type: anthropicErrorType(status), message: err.message }, request_id: requestId } };
}
