import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Agent, errors, request } from 'undici';
import { TfError } from '@tokenflow/contracts';
import { ADAPTER_CONFIG, type AdapterConfig } from '../config';
import type { UpstreamHttpRequest } from '../providers/provider';

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

  async send(
    req: UpstreamHttpRequest,
    t: { connectMs: number; firstByteMs: number; idleMs: number },
    signal: AbortSignal,
  ): Promise<UpstreamResponse> {
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
