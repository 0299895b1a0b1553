import type { TfError } from '@tokenflow/contracts';
import { classifyUpstreamError, streamError, type UpstreamErrorInfo } from '../upstream-errors';

/**
 * Zhipu's business error codes (docs.bigmodel.cn/cn/api/api-code, "错误码") → the HTTP status the shared rules
 * (`upstream-errors.ts`) should judge them as. Zhipu's body is `{"error":{"code":"1261","message":"Prompt 超长"}}`
 * and its HTTP statuses are coarse (429 covers both "too many requests" and "out of balance"), so the code decides
 * whenever we know it, including for errors that arrive inside a 200 stream.
 */
const CODE_STATUS: Readonly<Record<string, number>> = {
  // 身份验证错误 / 账户错误: the channel's key or account is unusable.
  '1000': 401, '1001': 401, '1002': 401, '1003': 401, '1004': 401,
  '1110': 401, '1111': 401, '1112': 401, '1121': 401,
  '1220': 403,
  // API 调用错误 the caller can fix: bad or conflicting parameters, a duplicate request_id; 1301 is the content
  // filter refusing the input ("不安全或敏感内容"); 1261 "Prompt 超长" (the shared rules know it as context length).
  '1210': 400, '1212': 400, '1213': 400, '1214': 400, '1215': 400, '1231': 400, '1261': 400, '1301': 400,
  // The model id the channel maps to does not exist or was retired: another channel may serve the model.
  '1211': 404, '1221': 404, '1222': 404,
  // 并发数过高 / 频率过高 / 流量限制 / 访问量过大 / fair-use throttling.
  '1302': 429, '1303': 429, '1305': 429, '1312': 429, '1313': 429,
  // Zhipu-side failures.
  '500': 500, '1120': 500, '1200': 500, '1230': 500, '1234': 500,
};

/**
 * Out of money or out of quota: 欠费 (1113), the daily call limit (1304), and GLM Coding Plan caps / expiry
 * (1308, 1309, 1310). The shared rules know 1113 already; the others are given the `insufficient_quota` type, which
 * the shared rules map to `upstream_quota_error`, so they are not mistaken for a retry-shortly rate limit.
 */
const QUOTA_CODES = new Set(['1113', '1304', '1308', '1309', '1310']);

/** Zhipu's error body → what the shared rules need. Also reads the v3 API's flat `{"code":1261,"msg":"…"}`. */
export function zhipuErrorInfo(body: string): UpstreamErrorInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { message: body.trim() ? body.trim().slice(0, 300) : null, code: null, type: null };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { message: null, code: null, type: null };
  const p = parsed as Record<string, unknown>;
  return errorObjectInfo(p.error ?? p);
}

/** An `error` value (object or string) → info, with quota codes pre-normalised. */
function errorObjectInfo(error: unknown): UpstreamErrorInfo {
  if (typeof error === 'string') return { message: error, code: null, type: null };
  const e = (error && typeof error === 'object' ? error : {}) as Record<string, unknown>;
  const code = str(e.code);
  const type = code && QUOTA_CODES.has(code) ? 'insufficient_quota' : str(e.type);
  return { message: str(e.message) ?? str(e.msg), code, type };
}

const judged = (status: number, code: string | null): number => (code && CODE_STATUS[code]) || status;

/** A non-2xx answer from Zhipu → our error. */
export function mapZhipuError(status: number, body: string, retryAfter: string | undefined): TfError {
  const info = zhipuErrorInfo(body);
  return classifyUpstreamError(judged(status, info.code), info, retryAfter);
}

/** An error object Zhipu sent inside a 200 stream (or a 2xx JSON body) → our error, judged by its code. */
export function zhipuStreamError(error: unknown): TfError {
  const info = errorObjectInfo(error);
  return streamError(info, judged(500, info.code));
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : null);
