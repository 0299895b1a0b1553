export interface RateLimitAcquireRequest {
  requestId: string;
  keyId: string;
  model: string;
  /** null = the service's default RPM. */
  rpmLimit: number | null;
}
/** Denials are errors (`rate_limit_exceeded` with retryAfterMs); a grant carries the header values. */
export interface RateLimitAcquireReply {
  limitRequests: number;
  remainingRequests: number;
  resetRequestsMs: number;
}
