import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Agent, errors, request } from 'undici';
import { TfError } from '@tokenflow/contracts';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { failSpan, type Span, tracer, tracingOn } from '@tokenflow/observability';
import { ADAPTER_CONFIG, type AdapterConfig } from '../config';
import type { UpstreamHttpRequest } from '../providers/provider';

/** Who an upstream call goes to, for its span: the provider and the model by the upstream's name. */
export interface UpstreamTarget {
  provider: string;
  model: string;
  /** Our endpoint (`chat`, `completions`, `embeddings`). */
  endpoint?: string;
}

/** Our endpoints as GenAI operation names. */
const OPERATIONS: Record<string, string> = { chat: 'chat', completions: 'text_completion', embeddings: 'embeddings' };

export interface UpstreamResponse {
  status: number;
  retryAfter: string | undefined;
  body: AsyncIterable<Buffer> & { text(): Promise<string>; destroy(err?: Error): unknown };
}

/**
 * Keep-alive pools over undici, one Agent per connect timeout (undici sets that per dispatcher).
 */
@Injectable()
export class UpstreamClient implements OnApplicationShutdown {
  private readonly agents = new Map<number, Agent>();

  constructor(@Inject(ADAPTER_CONFIG) private readonly config: AdapterConfig) {}

  /**
   * `target` names the upstream for the trace (tracing on): a CLIENT span per call, child of the active span (the
   * invoke's), from the request until the body is consumed or dropped. It carries the host, the method, the status
   * and the upstream's model and provider; never the URL's path or query, a header or a key.
   */
  async send(
    req: UpstreamHttpRequest,
    t: { connectMs: number; firstByteMs: number; idleMs: number },
    signal: AbortSignal,
    target?: UpstreamTarget,
  ): Promise<UpstreamResponse> {
    // Only inside a traced request (a probe outside one starts no trace of its own).
    if (!tracingOn() || !trace.getSpan(context.active())) return this.call(req, t, signal);
    const span = upstreamSpan(req.url, target);
    let res: UpstreamResponse;
    try {
      res = await this.call(req, t, signal);
    } catch (err) {
      failSpan(span, mapTransportError(err));
      span.end();
      throw err;
    }
    span.setAttribute('http.response.status_code', res.status);
    if (res.status >= 400) failSpan(span, { code: String(res.status) });
    const body = res.body as unknown as { once(event: 'close', fn: () => void): void };
    body.once('close', () => span.end());
    return res;
  }

  private async call(req: UpstreamHttpRequest, t: { connectMs: number; firstByteMs: number; idleMs: number }, signal: AbortSignal): Promise<UpstreamResponse> {
    const res = await request(req.url, {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      dispatcher: this.agent(t.connectMs),
      signal,
      // Backstops only: StreamWatchdog enforces these deadlines precisely.
      headersTimeout: t.firstByteMs + 1_000,
      bodyTimeout: t.idleMs + 1_000,
    });
    const retryAfter = res.headers['retry-after'];
    return {
      status: res.statusCode,
      retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      body: res.body as unknown as UpstreamResponse['body'],
    };
  }

  private agent(connectMs: number): Agent {
    let agent = this.agents.get(connectMs);
    if (!agent) {
      agent = new Agent({
        connect: { timeout: connectMs },
        connections: this.config.UPSTREAM_CONNECTIONS,
        keepAliveTimeout: 30_000,
        pipelining: 1,
      });
      this.agents.set(connectMs, agent);
    }
    return agent;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.agents.values()].map((a) => a.close()));
  }
}

/** Transport failures → our errors. Timeouts are 504 (and worth another channel); the rest 502. */
export function mapTransportError(err: unknown): TfError {
  if (err instanceof TfError) return err;
  if (err instanceof errors.HeadersTimeoutError) {
    return new TfError('upstream_timeout', 'The upstream did not start responding in time.', { retryable: true });
  }
  if (err instanceof errors.BodyTimeoutError) {
    return new TfError('upstream_timeout', 'The upstream stopped sending data (idle timeout).', { retryable: true });
  }
  if (err instanceof errors.ConnectTimeoutError) {
    return new TfError('upstream_timeout', 'Connecting to the upstream timed out.', { retryable: true });
  }
  return new TfError('upstream_error', 'The connection to the upstream failed.', { retryable: true });
}

/** Errors that mean no byte of the request reached the upstream (it cannot have counted it against a quota). */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export function neverReachedUpstream(err: unknown): boolean {
  if (err instanceof errors.ConnectTimeoutError) return true;
  const code = (err as { code?: unknown })?.code ?? (err as { cause?: { code?: unknown } })?.cause?.code;
  return typeof code === 'string' && NEVER_CONNECTED.has(code);
}

/**
 * The span of one upstream call (OpenTelemetry HTTP client and GenAI conventions). Only the host and port of the URL
 * are read: a query may hold a credential (some providers take `?key=`), and headers hold the upstream key.
 */
function upstreamSpan(url: string, target: UpstreamTarget | undefined): Span {
  const attributes: Record<string, string | number> = { 'http.request.method': 'POST' };
  try {
    const u = new URL(url);
    attributes['server.address'] = u.hostname;
    attributes['server.port'] = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
  } catch {
    // Not a URL undici could call either: the call fails, its span says so.
  }
  const operation = target?.endpoint ? OPERATIONS[target.endpoint] : undefined;
  if (target) {
    attributes['gen_ai.provider.name'] = target.provider;
    attributes['gen_ai.request.model'] = target.model;
    if (operation) attributes['gen_ai.operation.name'] = operation;
  }
  // GenAI's span name ("chat deepseek-chat") when the call is an inference, HTTP's ("POST") otherwise (a probe).
  return tracer().startSpan(operation && target ? `${operation} ${target.model}` : 'POST', { kind: SpanKind.CLIENT, attributes });
}
