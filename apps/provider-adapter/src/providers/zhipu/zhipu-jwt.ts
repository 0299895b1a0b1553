import { createHmac } from 'node:crypto';

/**
 * Zhipu's JWT authentication (open.bigmodel.cn API docs, "非 SDK 用户鉴权 / 使用 JWT 组装"; the official SDKs'
 * `zhipuai/core/_jwt_token.py`, zai-org/z-ai-sdk-python `src/zai/core/_jwt_token.py`): an API key of the
 * `id.secret` form may be sent as-is or as a short-lived HS256 token signed with the secret, with the header
 * `{"alg":"HS256","sign_type":"SIGN"}` and the payload `{api_key: id, exp, timestamp}` in epoch *milliseconds*.
 * We sign, so the secret half of the key never travels. Any other key (a proxy's `sk-…`, a pre-made token) is sent
 * unchanged.
 */
const ID_SECRET = /^([A-Za-z0-9]+)\.([A-Za-z0-9]+)$/;

/** How long a token we sign is valid. */
export const JWT_TTL_MS = 60 * 60 * 1000;
/** A cached token is replaced this long before it expires, so a request never carries one about to lapse. */
export const JWT_REFRESH_MARGIN_MS = 5 * 60 * 1000;
const MAX_CACHED_KEYS = 256;

const b64url = (json: unknown): string => Buffer.from(JSON.stringify(json), 'utf8').toString('base64url');

/** One signed token, exactly as Zhipu's SDKs produce it. */
export function signZhipuJwt(apiKeyId: string, secret: string, nowMs: number, ttlMs = JWT_TTL_MS): string {
  const signingInput = `${b64url({ alg: 'HS256', sign_type: 'SIGN' })}.${b64url({ api_key: apiKeyId, exp: nowMs + ttlMs, timestamp: nowMs })}`;
  const signature = createHmac('sha256', secret).update(signingInput, 'utf8').digest('base64url');
  return `${signingInput}.${signature}`;
}

/** Whether a key is of the `id.secret` form we turn into a token. */
export function isIdSecretKey(apiKey: string): boolean {
  return ID_SECRET.test(apiKey);
}

/** Tokens per key, reused until shortly before they expire (signing per request would be wasted work). */
export class ZhipuTokenCache {
  private readonly tokens = new Map<string, { token: string; refreshAt: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = JWT_TTL_MS,
  ) {}

  /** What goes after `Bearer `: a signed token for an `id.secret` key, the key itself otherwise. */
  bearer(apiKey: string): string {
    const match = ID_SECRET.exec(apiKey);
    if (!match) return apiKey;
    const now = this.now();
    const cached = this.tokens.get(apiKey);
    if (cached && now < cached.refreshAt) return cached.token;
    const token = signZhipuJwt(match[1], match[2], now, this.ttlMs);
    if (!cached && this.tokens.size >= MAX_CACHED_KEYS) this.tokens.delete(this.tokens.keys().next().value as string);
    this.tokens.set(apiKey, { token, refreshAt: now + this.ttlMs - Math.min(JWT_REFRESH_MARGIN_MS, this.ttlMs / 2) });
    return token;
  }
}

/** The process-wide cache the provider uses. */
export const zhipuTokens = new ZhipuTokenCache();
