/**
 * The Prometheus metrics the services export (issue 14 point 5), with their labels beyond the `service` default
 * label every metric carries. The Grafana dashboard and the Kubernetes external-metric HPA may use these only:
 * a query on a metric that no service exports draws an empty panel and scales on nothing, silently.
 */
export const METRICS = {
  tokenflow_requests_total: { type: 'counter', labels: ['endpoint', 'model', 'provider', 'status'] },
  tokenflow_request_duration_seconds: { type: 'histogram', labels: ['endpoint', 'model', 'provider', 'status'] },
  tokenflow_time_to_first_token_seconds: { type: 'histogram', labels: ['endpoint', 'model', 'provider'] },
  tokenflow_tokens_total: { type: 'counter', labels: ['model', 'provider', 'direction'] },
  tokenflow_cost_usd_total: { type: 'counter', labels: ['model', 'provider'] },
  tokenflow_upstream_errors_total: { type: 'counter', labels: ['provider', 'kind'] },
  tokenflow_upstream_duration_seconds: { type: 'histogram', labels: ['provider', 'model', 'outcome'] },
  tokenflow_channel_breaker_open: { type: 'gauge', labels: ['channel'] },
  tokenflow_ratelimit_denials_total: { type: 'counter', labels: ['limit'] },
  tokenflow_hold_duration_seconds: { type: 'histogram', labels: ['outcome'] },
  tokenflow_settle_duration_seconds: { type: 'histogram', labels: [] },
  tokenflow_jetstream_consumer_pending: { type: 'gauge', labels: ['stream', 'consumer'] },
  tokenflow_bullmq_queue_jobs: { type: 'gauge', labels: ['queue', 'state'] },
  nodejs_eventloop_lag_p99_seconds: { type: 'gauge', labels: [] },
  tokenflow_http_requests_total: { type: 'counter', labels: ['route', 'status'] },
} as const satisfies Record<string, { type: 'counter' | 'gauge' | 'histogram'; labels: readonly string[] }>;

export type MetricName = keyof typeof METRICS;

/** Labels every series has: the registry's default `service`, Prometheus's target labels, a histogram's `le`. */
export const COMMON_LABELS = ['service', 'instance', 'job', 'namespace', 'pod'];
