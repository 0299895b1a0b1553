import { Injectable } from '@nestjs/common';
import type { BlobRef } from '@tokenflow/contracts';
import { encode, NatsBus } from '@tokenflow/messaging';
import { JsonWorkers } from '../http/json-workers';

/** Bodies up to this size (as received) are encoded on the event loop, in well under a millisecond. */
const ENCODE_INLINE_BYTES = 256 * 1024;

/** The upstream body as the invoke request carries it: inline, or by reference when it exceeds one NATS message. */
export interface CarriedBody {
  fields: { body: Record<string, unknown> | null; bodyRef?: BlobRef };
  /** Stops serving a referenced body: call when no attempt of the request can still fetch it. */
  close(): void;
}

/**
 * One size limit end to end: any body the HTTP limit admits reaches the adapter. One that fits a NATS message
 * rides inside the invoke request; a larger one (images as data URLs) is served in parts for the adapter to pull,
 * the way large responses already come back in frames.
 */
@Injectable()
export class BodyCarrier {
  constructor(
    private readonly bus: NatsBus,
    private readonly workers: JsonWorkers,
  ) {}

  async carry(body: Record<string, unknown>, bodyBytes: number): Promise<CarriedBody> {
    // Megabytes of JSON take tens of milliseconds to encode: done in a worker, not on the event loop.
    const bytes = bodyBytes > ENCODE_INLINE_BYTES ? await this.workers.encode(body) : encode(body);
    if (bytes.length <= this.bus.inlineLimit) return { fields: { body }, close: () => undefined };
    const blob = this.bus.serveBlob(bytes);
    return { fields: { body: null, bodyRef: blob.ref }, close: blob.close };
  }
}
