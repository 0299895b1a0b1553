import type { Attempt, Endpoint, WireError } from '@tokenflow/contracts';
import { TfError } from '@tokenflow/contracts';
import type { UpstreamHttpRequest } from '../providers/provider';
import { capability, providerFor } from '../providers/provider.registry';

/** A body too large for one NATS message, as fetched: parsed here, off the adapter's event loop. */
export default function parse(bytes: Uint8Array): Record<string, unknown> {
  return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as Record<string, unknown>;
}

/**
 * The provider's upstream request for a large body, built here: its translation ends in `JSON.stringify` of
 * megabytes. A refusal (a provider rule) comes back as a value, since a TfError does not survive cloning.
 */
export function build({ attempt, endpoint, body }: { attempt: Attempt; endpoint: Endpoint; body: Record<string, unknown> }): UpstreamHttpRequest | { error: WireError } {
  try {
    return capability(providerFor(attempt.provider), endpoint, attempt.upstreamModel).buildRequest(attempt, body);
  } catch (err) {
    return { error: TfError.from(err).toWire() };
  }
}
