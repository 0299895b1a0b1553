import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { RequestLoggedEvent } from '@tokenflow/contracts';
import { METRICS_REGISTRY } from '@tokenflow/observability';
import { Counter, Histogram, type Registry } from 'prom-client';
import { RequestEnd } from './request-end';

/**
 * The API routes, for requests refused before the gateway named their endpoint (no key, a bad body): their status
 * belongs on the same series as the answered ones. `/v1/messages` and `/v1/responses` are `chat` there too (the gateway serves them as chat).
 */
const ENDPOINT_OF_PATH: Record<string, string> = {
  '/v1/chat/completions': 'chat',
  '/v1/completions': 'completions',
  '/v1/embeddings': 'embeddings',
  '/v1/messages': 'chat',
  '/v1/responses': 'chat',
};

/** The endpoint label of an API request; null for anything else (models list, admin, probes), which is not counted. */
export function endpointOf(s: Pick<RequestLoggedEvent, 'endpoint' | 'path'>): string | null {
  return s.endpoint ?? ENDPOINT_OF_PATH[s.path] ?? null;
}

/** Distinct model names a caller may put on series without a served model before the rest become `other`. */
const MAX_UNSERVED_MODELS = 100;

/**
 * The `model` label: the served model, else the requested one, else `none`. A requested model nobody served is the
 * caller's text (an unknown name, a refusal before planning), so only a bounded number of distinct ones get a series
 * of their own; names a model was served under are always kept.
 */
export class ModelLabels {
  private readonly served = new Set<string>();
  private readonly unserved = new Set<string>();

  constructor(private readonly maxUnserved = MAX_UNSERVED_MODELS) {}

  of(s: Pick<RequestLoggedEvent, 'servedModel' | 'requestedModel' | 'errorCode'>): string {
    if (s.servedModel) {
      this.served.add(s.servedModel);
      return s.servedModel;
    }
    const asked = s.requestedModel;
    if (!asked) return 'none';
    if (s.errorCode === 'model_not_found') return 'unknown';
    if (this.served.has(asked) || this.unserved.has(asked)) return asked;
    if (this.unserved.size >= this.maxUnserved) return 'other';
    this.unserved.add(asked);
    return asked;
  }
}

/**
 * Per finished API request (a `RequestEnd` listener, so the hot path pays nothing but the trail it already fills):
 * `tokenflow_requests_total` and `tokenflow_request_duration_seconds` by endpoint, model, provider and status;
 * `tokenflow_time_to_first_token_seconds` for answers an upstream served; `tokenflow_tokens_total` and
 * `tokenflow_cost_usd_total` from the usage the client was billed for.
 */
@Injectable()
export class RequestMetrics implements OnModuleInit {
  private readonly models = new ModelLabels();
  private readonly requests: Counter<'endpoint' | 'model' | 'provider' | 'status'>;
  private readonly duration: Histogram<'endpoint' | 'model' | 'provider' | 'status'>;
  private readonly ttft: Histogram<'endpoint' | 'model' | 'provider'>;
  private readonly tokens: Counter<'model' | 'provider' | 'direction'>;
  private readonly cost: Counter<'model' | 'provider'>;

  constructor(
    private readonly end: RequestEnd,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    const registers = [registry];
    const labelNames = ['endpoint', 'model', 'provider', 'status'] as const;
    this.requests = new Counter({ name: 'tokenflow_requests_total', help: 'API requests by endpoint, model (served, else requested), provider and HTTP status', labelNames, registers });
    this.duration = new Histogram({
      name: 'tokenflow_request_duration_seconds',
      help: 'API requests until the last byte (streams included), by endpoint, model, provider and HTTP status',
      labelNames,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.ttft = new Histogram({
      name: 'tokenflow_time_to_first_token_seconds',
      help: "Time until the answer's first byte reached the client (streams: the first event), for requests an upstream served",
      labelNames: ['endpoint', 'model', 'provider'] as const,
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 2, 5, 10, 30],
      registers,
    });
    this.tokens = new Counter({ name: 'tokenflow_tokens_total', help: 'Tokens billed, by model, provider and direction (input, output)', labelNames: ['model', 'provider', 'direction'] as const, registers });
    this.cost = new Counter({ name: 'tokenflow_cost_usd_total', help: 'Cost billed to callers in USD, by model and provider', labelNames: ['model', 'provider'] as const, registers });
  }

  onModuleInit(): void {
    this.end.on(({ summary }) => this.record(summary));
  }

  record(s: RequestLoggedEvent): void {
    const endpoint = endpointOf(s);
    if (!endpoint) return;
    const model = this.models.of(s);
    const provider = s.provider ?? 'none';
    const status = String(s.status);
    this.requests.inc({ endpoint, model, provider, status });
    this.duration.observe({ endpoint, model, provider, status }, s.latencyMs / 1000);
    if (s.ttftMs !== null && s.servedModel) this.ttft.observe({ endpoint, model, provider }, s.ttftMs / 1000);
    if (s.inputTokens) this.tokens.inc({ model, provider, direction: 'input' }, s.inputTokens);
    if (s.outputTokens) this.tokens.inc({ model, provider, direction: 'output' }, s.outputTokens);
    // Nano-USD as a decimal string: exact up to 2^53 nano-USD (≈ $9M) per request, far above any one answer.
    if (s.costNano !== null && s.costNano !== '0') this.cost.inc({ model, provider }, Number(s.costNano) / 1e9);
  }
}
