import { performance } from 'node:perf_hooks';
import type { PlannedAttempt, TokenUsage } from '@tokenflow/contracts';
import { TfError } from '@tokenflow/contracts';
import type { ContentCapture } from './content-capture';

/**
 * What one HTTP request did, filled in as it goes (the key by the auth hook, the model and stream by the gateway,
 * who served it, the first byte, usage and cost, the error the client got) and read once when the response is over
 * by the request's listeners (metrics, the log line, the trace, the request log: see `RequestEnd`). Plain fields,
 * no I/O: filling it costs the hot path a few assignments.
 */
export class RequestTrail {
  /** Wall-clock arrival (ms since the epoch) and the monotonic clock at arrival. */
  readonly startedAt = Date.now();
  private readonly t0 = performance.now();
  endpoint: string | null = null;
  requestedModel: string | null = null;
  stream = false;
  servedModel: string | null = null;
  provider: string | null = null;
  channelId: string | null = null;
  route: string | null = null;
  category: string | null = null;
  attempts = 0;
  ttftMs: number | null = null;
  usage: TokenUsage | null = null;
  costNano: bigint | null = null;
  /** The error the client got (a body before any byte, or an event during a stream). */
  error: TfError | null = null;
  /** Told to the listeners already (see `RequestEnd.finish`). */
  ended = false;
  /** The request's W3C trace context on our hops (`traceparent`), made once per request. */
  traceparent: string | null = null;
  /** Only for a key with content logging on (set before the handler runs): the answer as sent, capped. */
  content: ContentCapture | null = null;

  /** The gateway took the call: what was asked. */
  began(endpoint: string, model: string, stream: boolean): void {
    this.endpoint = endpoint;
    this.requestedModel = model;
    this.stream = stream;
  }

  /** An attempt produced the answer's first frame: who serves it and why. */
  served(model: string, attempt: PlannedAttempt, route: string | null, category: string | null): void {
    this.servedModel = model;
    this.provider = attempt.provider;
    this.channelId = attempt.channelId;
    this.route = route;
    this.category = category;
  }

  /** The first byte of the answer went to the client (the stream's headers, or the whole body). */
  firstByte(): void {
    this.ttftMs ??= this.elapsedMs();
  }

  settled(usage: TokenUsage | null, costNano: bigint | null): void {
    this.usage = usage;
    this.costNano = costNano;
  }

  failed(err: unknown): void {
    this.error ??= TfError.from(err);
  }

  elapsedMs(): number {
    return performance.now() - this.t0;
  }
}
