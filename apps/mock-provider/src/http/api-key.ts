import { OpenAiError } from './openai-error';

/** The one key the mock treats as revoked, so clients can exercise their 401 handling. */
export const INVALID_API_KEY = 'sk-invalid';

/** The key of an `Authorization: Bearer <key>` header, if the header has that shape. */
export function bearerToken(authorization: string | string[] | undefined): string | undefined {
  return typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
}

/** Any `Bearer <key>` is accepted except {@link INVALID_API_KEY}; like OpenAI, the key itself is never echoed. */
export function assertApiKey(authorization: string | undefined): void {
  const key = bearerToken(authorization);
  if (!key) {
    throw OpenAiError.invalidApiKey(
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    );
  }
  if (key === INVALID_API_KEY) {
    throw OpenAiError.invalidApiKey(`Incorrect API key provided: ${maskSecret(key)}.`);
  }
}

/** Keeps the last 4 characters, enough to tell keys apart in a log without exposing them. */
export function maskSecret(secret: string): string {
  return secret.length <= 4 ? '***' : `***${secret.slice(-4)}`;
}

/**
 * Who is calling, for per-key scripts: the bearer token or `x-api-key`. A Zhipu-style JWT (re-signed every so often)
 * counts as the key id in its `api_key` claim, so a client that refreshes its token stays the same caller.
 */
export function callerKey(headers: { authorization?: string | string[]; 'x-api-key'?: string | string[] }): string {
  const apiKey = headers['x-api-key'];
  const token = bearerToken(headers.authorization) ?? (typeof apiKey === 'string' ? apiKey : '');
  const parts = token.split('.');
  if (parts.length !== 3) return token;
  try {
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { api_key?: unknown };
    return typeof claims.api_key === 'string' ? claims.api_key : token;
  } catch {
    return token;
  }
}
