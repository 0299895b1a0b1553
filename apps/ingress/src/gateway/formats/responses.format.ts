import type { TfError, TokenUsage } from '@tokenflow/contracts';
import { ResponseAssembler, type ResponseMeta, ResponseStreamEncoder } from '@tokenflow/openai';
import type { ResponseFormat } from '../response-format';

/**
 * OpenAI's Responses API over the chat pipeline: the same chat chunks every provider produces, re-told as the
 * Responses event stream or folded into one Response object. The Response the call ended with is kept (`final`) so
 * it can be stored before the client sees it (see `StoringClientChannel`).
 */
export class ResponsesFormat implements ResponseFormat {
  private readonly encoder: ResponseStreamEncoder;
  private readonly assembler: ResponseAssembler;
  private pending: Record<string, unknown> | null = null;

  constructor(
    readonly streaming: boolean,
    meta: ResponseMeta,
  ) {
    this.encoder = new ResponseStreamEncoder(meta);
    this.assembler = new ResponseAssembler(meta);
  }

  served(model: string): void {
    this.encoder.served(model);
    this.assembler.served(model);
  }

  chunk(data: Record<string, unknown>): string {
    return this.encoder.push(data);
  }

  /** No cost comment: the Responses stream is typed events only (the `x-tokenflow-cost` header is on whole answers). */
  end(usage: TokenUsage | null): string {
    const out = this.encoder.finish(usage);
    this.pending = this.encoder.final;
    return out;
  }

  error(err: TfError): string {
    return this.encoder.error(err);
  }

  add(data: Record<string, unknown>): void {
    this.assembler.add(data);
  }

  result(usage: TokenUsage | null): Record<string, unknown> {
    const out = this.assembler.result(usage);
    this.pending = out;
    return out;
  }

  /** The finished Response (completed or incomplete) not yet handed over, once: what the next write carries. */
  takeFinished(): Record<string, unknown> | null {
    const out = this.pending;
    this.pending = null;
    return out;
  }
}
