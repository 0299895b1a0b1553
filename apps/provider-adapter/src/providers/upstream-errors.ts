import { TfError } from '@tokenflow/contracts';

/** What a provider's error body says, in whatever shape it uses (each provider extracts its own). */
export interface UpstreamErrorInfo {
  message: string | null;
  /** The provider's own error code (`context_length_exceeded`, Zhipu's `1261`, DashScope's `Arrearage`…). */
  code: string | null;
  /** The provider's error type (`insufficient_quota`, Anthropic's `overloaded_error`…). */
  type: string | null;
}

const NO_INFO: UpstreamErrorInfo = { message: null, code: null, type: null };

const CONTEXT_CODES = new Set(['context_length_exceeded', 'string_above_max_length', '1261']);
const CONTEXT_TEXT =
  /context[ _-]?(length|window)|maximum context|prompt is too long|too many (input )?tokens|input length|exceeded model token limit|token limit|input is too long|reduce the length|超长/i;

/** Upstream error text is judged on its first few KB: a provider's message that long says what it means by then. */
const JUDGED_CHARS = 4_096;

const QUOTA_CODES = new Set(['insufficient_quota', 'exceeded_current_quota_error', 'arrearage', 'insufficient_balance', '1113', 'billing_error']);
const QUOTA_TEXT = /insufficient[ _](balance|quota|credit|funds)|credit balance is too low|exceeded your current quota|余额不足|欠费|arrearage|account is in good standing|payment required/i;

/** "超过…长度" (exceeds … length) on one line, found with two `indexOf`s: a `超过.*长度` regex rescans the line from every 超过. */
function saysTooLong(text: string): boolean {
  for (const line of text.split(/\r\n|\r|\n/)) {
    const i = line.indexOf('超过');
    if (i >= 0 && line.indexOf('长度', i + 2) >= 0) return true;
  }
  return false;
}

/** OpenAI's `{"error": {"message", "type", "code"}}`, which most providers copy (and a bare `{"message"}`). */
export function openAiErrorInfo(body: string): UpstreamErrorInfo {
  const parsed = parseJson(body);
  if (!parsed) return { ...NO_INFO, message: body.trim() ? body.trim().slice(0, 300) : null };
  const err = parsed.error;
  if (typeof err === 'string') return { message: err, code: str(parsed.code), type: str(parsed.type) };
  const e = (err && typeof err === 'object' ? err : parsed) as Record<string, unknown>;
  return { message: str(e.message), code: str(e.code), type: str(e.type) };
}

/**
 * The one place upstream failures become ours (Portkey's `utils.ts` idea): each provider only extracts its error
 * body, then the same rules apply everywhere.
 * - 401/403: `upstream_auth_error` (502): the channel's key is bad; the caller's own key is fine.
 * - 402 or an out-of-credit code/message: `upstream_quota_error` (502).
 * - A context-length error, whatever its status or wording: `context_length_exceeded` (400).
 * - 400/413/422: `invalid_request` (400) with the upstream's message, cleaned.
 * - 429: `rate_limit_exceeded`, with the upstream's Retry-After.
 * - 404/408/5xx/529 (overloaded): `upstream_error` (502).
 * Everything but a caller's mistake is retryable: another channel may succeed.
 */
export function classifyUpstreamError(status: number, info: UpstreamErrorInfo, retryAfter: string | undefined): TfError {
  const message = info.message ? sanitize(info.message) : null;
  const code = info.code?.toLowerCase() ?? '';
  const type = info.type?.toLowerCase() ?? '';
  const text = `${info.message ?? ''} ${code} ${type}`.slice(0, JUDGED_CHARS);
  if (CONTEXT_CODES.has(code) || CONTEXT_CODES.has(type) || (status < 500 && (CONTEXT_TEXT.test(text) || saysTooLong(text)))) {
    return new TfError('context_length_exceeded', message ?? "The input is longer than the model's context window.", { param: 'messages' });
  }
  if (status === 402 || QUOTA_CODES.has(code) || QUOTA_CODES.has(type) || QUOTA_TEXT.test(text)) {
    return new TfError('upstream_quota_error', 'The upstream provider account behind this channel is out of credit or quota.', { retryable: true });
  }
  if (status === 401 || status === 403) {
    return new TfError('upstream_auth_error', "The upstream provider rejected this channel's credentials.", { retryable: true });
  }
  if (status === 429) {
    return new TfError('rate_limit_exceeded', 'The upstream provider is rate limiting requests. Please retry shortly.', {
      retryable: true,
      retryAfterMs: retryAfterMs(retryAfter),
    });
  }
  if (status === 400 || status === 413 || status === 422) {
    return new TfError('invalid_request', message ?? 'The upstream rejected the request as invalid.');
  }
  if (status === 529 || type === 'overloaded_error') {
    return new TfError('upstream_error', 'The upstream provider is overloaded. Please retry shortly.', { retryable: true, retryAfterMs: retryAfterMs(retryAfter) });
  }
  return new TfError('upstream_error', `The upstream provider returned an error (HTTP ${status}).`, {
    retryable: status >= 500 || status === 404 || status === 408,
  });
}

/** An error reported inside a 200 stream (an `error` event or chunk): same rules, judged as if it came with `status`. */
export function streamError(info: UpstreamErrorInfo, status = 500): TfError {
  const err = classifyUpstreamError(status, info, undefined);
  if (err.code !== 'upstream_error') return err;
  const detail = info.message ? `: ${sanitize(info.message)}` : '';
  return new TfError('upstream_error', `The upstream reported an error mid-stream${detail}`, { retryable: true });
}

/** Upstream messages sometimes quote the key or an internal URL; neither may reach our client. */
export function sanitize(message: string): string {
  return message
    .replace(/\b(sk|tf|key)-[A-Za-z0-9_-]{8,}/g, '[redacted]')
    .replace(/\b[A-Za-z0-9]{20,}\.[A-Za-z0-9]{8,}\b/g, '[redacted]')
    .replace(/https?:\/\/\S+/g, '[url]')
    .slice(0, 1000);
}

function retryAfterMs(header: string | undefined): number | undefined {
  const seconds = header?.trim() ? Number(header) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : undefined;
}

function parseJson(body: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(body) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : null);
