import type { RateLimitAcquireRequest, RateLimits, UpstreamAcquireRequest } from '@tokenflow/contracts';
import { KEY_VERSION } from './limit-scripts.lua';

export type BucketKind = 'r' | 't' | 'c';

export interface Bucket {
  key: string;
  kind: BucketKind;
  limit: number;
  /** Names the limit in a denial: "requests per minute for this API key". */
  label: string;
}

const WHAT: Record<BucketKind, string> = { r: 'requests per minute', t: 'tokens per minute', c: 'concurrent requests' };

/** The hash tag that keeps every key of one account's limits on one Redis Cluster slot. */
export const accountTag = (prefix: string, accountId: string) => `${prefix}:${KEY_VERSION}:{a:${accountId}}`;

export const reservationKey = (prefix: string, accountId: string, requestId: string) => `${accountTag(prefix, accountId)}:res:${requestId}`;

/** One upstream key's limits live on their own slot, shared by every account that uses the key. */
export const upstreamTag = (prefix: string, ref: string) => `${prefix}:${KEY_VERSION}:{u:${ref}}`;

export const upstreamReservationKey = (prefix: string, ref: string, requestId: string) => `${upstreamTag(prefix, ref)}:res:${requestId}`;

/** An upstream key's per-model RPM and TPM (the provider's quota for that key). */
export function upstreamBucketsFor(prefix: string, req: UpstreamAcquireRequest): Bucket[] {
  const base = `${upstreamTag(prefix, req.limits.ref)}:m:${req.model}`;
  const out: Bucket[] = [];
  if (req.limits.rpm) out.push({ key: `${base}:r`, kind: 'r', limit: req.limits.rpm, label: `${WHAT.r} for this upstream key on ${req.model}` });
  if (req.limits.tpm) out.push({ key: `${base}:t`, kind: 't', limit: req.limits.tpm, label: `${WHAT.t} for this upstream key on ${req.model}` });
  return out;
}

/**
 * Every limit that applies to a request: the key's and the account's own (RPM, TPM, concurrency) and their
 * per-model RPM/TPM. A key without an RPM of its own gets the deployment's default.
 */
export function bucketsFor(prefix: string, req: RateLimitAcquireRequest, defaultKeyRpm: number): Bucket[] {
  const tag = accountTag(prefix, req.accountId);
  const out: Bucket[] = [];
  const add = (scope: string, who: string, limits: RateLimits | null, rpmFallback: number | null) => {
    const rpm = limits?.rpm ?? rpmFallback;
    if (rpm) out.push({ key: `${tag}:${scope}:r`, kind: 'r', limit: rpm, label: `${WHAT.r} for ${who}` });
    if (limits?.tpm) out.push({ key: `${tag}:${scope}:t`, kind: 't', limit: limits.tpm, label: `${WHAT.t} for ${who}` });
    if (limits?.maxConcurrency) out.push({ key: `${tag}:${scope}:c`, kind: 'c', limit: limits.maxConcurrency, label: `${WHAT.c} for ${who}` });
    const model = limits?.models?.[req.model];
    if (model?.rpm) out.push({ key: `${tag}:${scope}:m:${req.model}:r`, kind: 'r', limit: model.rpm, label: `${WHAT.r} for ${who} on ${req.model}` });
    if (model?.tpm) out.push({ key: `${tag}:${scope}:m:${req.model}:t`, kind: 't', limit: model.tpm, label: `${WHAT.t} for ${who} on ${req.model}` });
  };
  add(`k:${req.keyId}`, 'this API key', req.key, defaultKeyRpm > 0 ? defaultKeyRpm : null);
  add('acct', 'this account', req.account, null);
  return out;
}
