import { Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { DurableConsumers, type RequestLoggedEvent, Streams, Subjects } from '@tokenflow/contracts';
import { type DeliveredEvent, type FailedEvent, type FailurePolicy, NatsBus } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';
import { poisonSettlementFailure, transientSettlementFailure } from '../settlement/ledger-errors';
import { RequestLogService } from './request-log.service';

/**
 * Finished requests from `TF_REQUESTS` (ingress publishes one per `/v1` request) into `billing.request_log`, a
 * batch per insert. Its own stream and durable, so it never holds up settlement; acked only once inserted, so a
 * Postgres outage only delays entries (the stream keeps them `Streams.requests.maxAgeMs`) and a redelivery is
 * absorbed by the primary key. Billing owns the stream and this consumer.
 */
@Injectable()
export class RequestLogConsumer implements OnModuleInit, OnApplicationBootstrap {
  private readonly log = createLogger('billing.request-log');

  constructor(
    private readonly bus: NatsBus,
    private readonly requests: RequestLogService,
  ) {}

  /** Before ingress can publish to it (ingress answers nothing before billing is up). */
  async onModuleInit(): Promise<void> {
    await this.bus.durable.ensureStream(Streams.requests);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.durable.consumeBatches(DurableConsumers.billingRequestLog, (batch) => this.store(batch), this.failurePolicy());
  }

  async store(batch: DeliveredEvent[]): Promise<number> {
    const events: RequestLoggedEvent[] = [];
    for (const e of batch) if (e.subject === Subjects.requestLogged) events.push(e.payload);
    return this.requests.store(events);
  }

  /**
   * Postgres down, timing out or locked: the batch comes back for as long as it takes, never dropped. An entry
   * Postgres refuses for its own sake (a malformed event: a constraint, a bad value) is logged by its ids and dropped
   * after `maxDeliver` tries — a log line, not money, has no replay place of its own. Never the event itself: it may
   * carry a prompt and an answer (content logging), which belong in the request log only.
   */
  private failurePolicy(): FailurePolicy {
    return {
      transient: transientSettlementFailure,
      poison: poisonSettlementFailure,
      park: async (f: FailedEvent) => {
        this.log.error({ err: f.error, subject: f.subject, msgId: f.msgId, deliveries: f.deliveries, bytes: f.data.length }, 'request log entry refused by Postgres; dropped');
        return true;
      },
    };
  }
}
