import { type DurableSubject, Subjects } from './subjects';

/** The services that own JetStream resources. */
export type StreamOwner = 'billing' | 'ratelimit';

/**
 * A JetStream stream, complete: its owner creates it with exactly this configuration at boot and updates an older
 * one to it. Every other service only publishes to it or reads from it, and never declares it again.
 */
export interface StreamDeclaration {
  /** Before namespacing (`TF_NAMESPACE` prefixes it). */
  readonly name: string;
  readonly owner: StreamOwner;
  /** Every subject the stream stores. A subject belongs to one stream only. */
  readonly subjects: readonly DurableSubject[];
  /**
   * `limits`: an event stays until `maxAgeMs` whatever its consumers acked, so each consumer reads at its own pace
   * and one created late (or recreated) catches up from the start.
   */
  readonly retention: 'limits';
  readonly storage: 'file';
  /** Window in which a re-published msgId is dropped by the server (dedupe of publisher retries). */
  readonly duplicateWindowMs: number;
  readonly maxAgeMs: number;
  /**
   * Bytes kept at most (per server); past it the oldest events go. Only for a stream that is not money: JetStream's
   * store is shared, so a stream that may grow with traffic must not be able to fill it and block the usage stream.
   */
  readonly maxBytes?: number;
}

/**
 * A durable pull consumer, created and updated at boot by its owner (the service that reads it) once the stream
 * exists. Its events are handled in batches, acked only after the handler succeeded.
 */
export interface ConsumerDeclaration {
  readonly stream: StreamDeclaration;
  readonly durable: string;
  readonly owner: StreamOwner;
  /** Only this subject of the stream; absent = every subject in it. */
  readonly filterSubject?: DurableSubject;
  /** Delivered but unacked events come back after this: a replica that died mid-batch delays them this long. */
  readonly ackWaitMs: number;
  readonly maxAckPending: number;
  /**
   * Deliveries after which a still-failing event is handed to the consumer's dead-letter place (settlement:
   * `billing.parked_usage`, decision 0016), or, for a consumer without one, logged whole and terminated. Failures
   * its policy calls transient (the ledger is down) never park an event. Enforced by the consumer, not the
   * server, so an event whose last delivery died unacked is still delivered.
   */
  readonly maxDeliver: number;
  /** Most events one handler call gets, and how long the first of them waits for others to join it. */
  readonly maxBatch: number;
  readonly maxWaitMs: number;
}

/** The usage stream's name, for code that only needs the name (audits, test teardown). */
export const USAGE_STREAM = 'TF_USAGE';

/**
 * Usage and hold events: the money path. Owned by billing, whose settlement consumes every subject in order; the
 * adapter publishes usage, billing and ingress publish hold events.
 */
const usage = {
  name: USAGE_STREAM,
  owner: 'billing',
  subjects: [Subjects.usageRecorded, Subjects.billingHoldRelease, Subjects.billingHoldsPlaced],
  retention: 'limits',
  storage: 'file',
  duplicateWindowMs: 120_000,
  maxAgeMs: 7 * 24 * 3_600_000,
} as const satisfies StreamDeclaration;

/**
 * Finished `/v1` requests for the request log (decision 0020): not money, so a separate stream, whose only job is
 * to outlast a Postgres outage; `billing.request_log` keeps entries for `REQUEST_LOG_RETENTION_DAYS` after that.
 */
const requests = {
  name: 'TF_REQUESTS',
  owner: 'billing',
  subjects: [Subjects.requestLogged],
  retention: 'limits',
  storage: 'file',
  duplicateWindowMs: 120_000,
  // Billing reads it within seconds; a day and 1 GiB outlast a Postgres outage without crowding the usage stream.
  maxAgeMs: 24 * 3_600_000,
  maxBytes: 1024 ** 3,
} as const satisfies StreamDeclaration;

/** Every JetStream stream. */
export const Streams = { usage, requests } as const;

/**
 * Every durable consumer. An ack wait of 10 s: short enough that a restart settles quickly, long enough for a batch
 * statement (milliseconds) under a slow database.
 */
export const DurableConsumers = {
  /** billing: usage and hold events → ledger entries, holds closed (apps/billing/src/settlement). */
  billingSettlement: {
    stream: usage,
    durable: 'billing-settler',
    owner: 'billing',
    ackWaitMs: 10_000,
    maxAckPending: 10_000,
    maxDeliver: 8,
    maxBatch: 500,
    maxWaitMs: 50,
  },
  /** ratelimit: each request's TPM reservation replaced by the tokens it used (apps/ratelimit/src/limits). */
  ratelimitTpm: {
    stream: usage,
    durable: 'ratelimit-tpm',
    owner: 'ratelimit',
    filterSubject: Subjects.usageRecorded,
    ackWaitMs: 10_000,
    maxAckPending: 10_000,
    maxDeliver: 8,
    maxBatch: 500,
    maxWaitMs: 50,
  },
  /** billing: finished requests → `billing.request_log`, one insert per batch (apps/billing/src/request-log). */
  billingRequestLog: {
    stream: requests,
    durable: 'billing-request-log',
    owner: 'billing',
    ackWaitMs: 10_000,
    maxAckPending: 10_000,
    maxDeliver: 8,
    maxBatch: 500,
    maxWaitMs: 200,
  },
} as const satisfies Record<string, ConsumerDeclaration>;

/** The stream that stores `subject`. */
export function streamOf(subject: DurableSubject): StreamDeclaration {
  const found = Object.values(Streams).find((s) => (s.subjects as readonly DurableSubject[]).includes(subject));
  if (!found) throw new Error(`no stream stores ${subject}`);
  return found;
}
