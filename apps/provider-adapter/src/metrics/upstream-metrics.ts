import { Inject, Injectable } from '@nestjs/common';
import type { TfError } from '@tokenflow/contracts';
import { METRICS_REGISTRY } from '@tokenflow/observability';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Failure classes of upstream attempts: what an operator acts on differently (a bad key, a slow provider, our bug). */
export type UpstreamErrorKind = 'timeout' | 'connect' | 'rate_limit' | 'auth' | 'quota' | 'server' | 'bad_request' | 'other';

/** How an attempt ended, as the invoke loop knows it: null = answered; else its health failure (`healthFailure`). */
export type AttemptFailure = TfError | 'cancelled' | 'deadline' | null;

/**
 * The class of a failed attempt, from the error the adapter already mapped (`classifyUpstreamError`,
 * `mapTransportError`). `reachedUpstream`: an HTTP answer came back, so an `upstream_error` is the provider's (5xx,
 * an error mid-stream) rather than a connection that failed.
 */
export function upstreamErrorKind(error: TfError | 'deadline', reachedUpstream: boolean): UpstreamErrorKind {
  if (error === 'deadline') return 'timeout';
  switch (error.code) {
    case 'upstream_timeout':
      return 'timeout';
    case 'rate_limit_exceeded':
      return 'rate_limit';
    case 'upstream_auth_error':
      return 'auth';
    case 'upstream_quota_error':
      return 'quota';
    case 'invalid_request':
    case 'context_length_exceeded':
      return 'bad_request';
    case 'upstream_error':
      return reachedUpstream ? 'server' : 'connect';
    default:
      return 'other';
  }
}

/**
 * Per upstream attempt: `tokenflow_upstream_duration_seconds{provider,model,outcome}` from the request leaving for the
 * upstream to the attempt's end, and `tokenflow_upstream_errors_total{provider,kind}`. Attempts that never called
 * the upstream (key lookup failed, our own quota limiter refused) are not the upstream's and are left out.
 */
@Injectable()
export class UpstreamMetrics {
  private readonly errors: Counter<'provider' | 'kind'>;
  private readonly duration: Histogram<'provider' | 'model' | 'outcome'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.errors = new Counter({
      name: 'tokenflow_upstream_errors_total',
      help: 'Failed upstream attempts by provider and failure class',
      labelNames: ['provider', 'kind'] as const,
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'tokenflow_upstream_duration_seconds',
      help: 'Upstream attempts, from the request leaving to the last byte or the failure, by outcome (ok, error, cancelled)',
      labelNames: ['provider', 'model', 'outcome'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    });
  }

  /** `sentAt`: when the request left for the upstream (0: it never did). */
  attemptEnded(provider: string, model: string, sentAt: number, failure: AttemptFailure, reachedUpstream: boolean): void {
    if (!sentAt) return;
    const outcome = failure === null ? 'ok' : failure === 'cancelled' ? 'cancelled' : 'error';
    this.duration.observe({ provider, model, outcome }, Math.max(0, Date.now() - sentAt) / 1000);
    if (failure !== null && failure !== 'cancelled') this.errors.inc({ provider, kind: upstreamErrorKind(failure, reachedUpstream) });
  }
}
