import type { RateLimitAcquireReply } from './ratelimit.contract';

/** OpenAI's duration style for `x-ratelimit-reset-*`: "20ms", "1.5s", "6m0s". */
export function formatReset(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms - minutes * 60_000)) / 1_000;
  return minutes ? `${minutes}m${seconds}s` : `${seconds}s`;
}

/** OpenAI's `x-ratelimit-*` headers for the most constraining request and token limits that applied. */
export function rateLimitHeaders(state: Pick<RateLimitAcquireReply, 'requests' | 'tokens'>): Record<string, string> {
  const h: Record<string, string> = {};
  for (const [dim, s] of [['requests', state.requests], ['tokens', state.tokens]] as const) {
    if (!s) continue;
    h[`x-ratelimit-limit-${dim}`] = String(s.limit);
    h[`x-ratelimit-remaining-${dim}`] = String(s.remaining);
    h[`x-ratelimit-reset-${dim}`] = formatReset(s.resetMs);
  }
  return h;
}
