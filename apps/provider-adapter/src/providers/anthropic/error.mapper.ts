import type { TfError } from '@tokenflow/contracts';
import { classifyUpstreamError, openAiErrorInfo, type UpstreamErrorInfo } from '../upstream-errors';

/**
 * Anthropic's error body, `{"type":"error","error":{"type","message"},"request_id"}` (HTTP errors and the stream's
 * `error` event alike). Its `error.type` is both our code and type. Another JSON shape (a proxy's OpenAI-style
 * body) is read the generic way; a body that is not JSON comes from the edge in front of the API (an HTML page)
 * and says nothing worth passing on.
 */
export function anthropicErrorInfo(payload: string | Record<string, unknown>): UpstreamErrorInfo {
  const parsed = typeof payload === 'string' ? parseObject(payload) : payload;
  if (!parsed) return { message: null, code: null, type: null };
  const err = parsed.type === 'error' ? parsed.error : undefined;
  if (!err || typeof err !== 'object') return openAiErrorInfo(JSON.stringify(parsed));
  const { type, message } = err as Record<string, unknown>;
  const kind = typeof type === 'string' && type ? type : null;
  return { message: typeof message === 'string' && message ? message : null, code: kind, type: kind };
}

export function mapAnthropicError(status: number, body: string, retryAfter: string | undefined): TfError {
  return classifyUpstreamError(status, anthropicErrorInfo(body), retryAfter);
}

/**
 * The HTTP status each documented error type comes with (docs.claude.com/en/api/errors), so that an error reported
 * mid-stream is judged as the same error sent as a response would be (a stream's `rate_limit_error` is a 429).
 */
const STATUS_BY_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

export function statusForErrorType(type: string | null): number {
  return (type && STATUS_BY_TYPE[type]) || 500;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
