import { createHash, randomInt } from 'node:crypto';

/** `tf-` + 48 base62 characters: ~285 bits of entropy. */
export const API_KEY_PATTERN = /^tf-[0-9A-Za-z]{48}$/;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function generateApiKey(): string {
  let body = '';
  // randomInt draws uniformly (no modulo bias) from the CSPRNG.
  for (let i = 0; i < 48; i++) body += BASE62[randomInt(62)];
  return `tf-${body}`;
}

/** Keys are stored and looked up by SHA-256 only: a leaked database does not leak usable keys. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Names an upstream (channel) key in plans (`PlannedAttempt.keyRef`), events and logs without revealing it. Being
 * derived from the key, a reference can only ever resolve to the key it was made from: a stale cache may lack a
 * new key, never hand out a wrong one.
 */
export function upstreamKeyFingerprint(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
}
