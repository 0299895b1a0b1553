import type { BlobRef } from '@tokenflow/contracts';
import { encode, type NatsBus } from '@tokenflow/messaging';

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
export function carryBody(bus: NatsBus, body: Record<string, unknown>): CarriedBody {
  const bytes = encode(body);
  if (bytes.length <= bus.inlineLimit) return { fields: { body }, close: () => undefined };
  const blob = bus.serveBlob(bytes);
  return { fields: { body: null, bodyRef: blob.ref }, close: blob.close };
}
