/** Header names shared by ingress (HTTP) and the NATS hops. */
export const Headers = {
  requestId: 'x-request-id',
  traceparent: 'traceparent',
  route: 'x-tokenflow-route',
  model: 'x-tokenflow-model',
  provider: 'x-tokenflow-provider',
  /** How many upstream attempts the answer took, across keys, channels and fallback models. */
  attempts: 'x-tokenflow-attempts',
  cost: 'x-tokenflow-cost-usd',
  timeoutMs: 'x-tokenflow-timeout-ms',
  /** `auto`: the time to first token the caller wants (the body's `route.latency_target_ms` wins). */
  latencyTargetMs: 'x-tokenflow-latency-target-ms',
} as const;
