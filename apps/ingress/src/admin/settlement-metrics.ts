import { type SettlementLagReply, Subjects } from '@tokenflow/contracts';
import type { NatsBus } from '@tokenflow/messaging';
import { Gauge, type Registry } from 'prom-client';

/** One billing answer serves every gauge of a scrape. */
const FRESH_MS = 1_000;
const ASK_TIMEOUT_MS = 2_000;

/**
 * Settlement lag on the ingress's /metrics (billing has no HTTP surface): each scrape asks billing
 * (`tf.billing.settlement-lag.v1`). When billing does not answer the gauges read NaN, which an alert on absence or
 * on the value both catch; the normal value of `tokenflow_settlement_oldest_unsettled_seconds` stays under 2 s.
 */
export function registerSettlementMetrics(registry: Registry, bus: NatsBus): void {
  let last: { at: number; reply: Promise<SettlementLagReply | null> } | null = null;
  const current = () => {
    if (!last || Date.now() - last.at > FRESH_MS) {
      last = { at: Date.now(), reply: bus.request(Subjects.billingSettlementLag, {}, { timeoutMs: ASK_TIMEOUT_MS }).catch(() => null) };
    }
    return last.reply;
  };
  const gauge = (name: string, help: string, read: (r: SettlementLagReply) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const r = await current();
        this.set(r ? read(r) : Number.NaN);
      },
    });
  gauge('tokenflow_settlement_oldest_unsettled_seconds', 'Age of the oldest usage-stream event settlement has not applied (0 = none pending)', (r) => r.oldest_unsettled_seconds);
  gauge('tokenflow_settlement_pending_events', 'Usage-stream events not yet settled (undelivered, in flight or waiting to retry)', (r) => r.pending);
  gauge('tokenflow_settlement_parked_events', 'Usage events parked in billing.parked_usage and not yet replayed', (r) => r.parked);
  gauge('tokenflow_settlement_oldest_parked_seconds', 'Age of the oldest parked usage event (0 = none)', (r) => r.oldest_parked_seconds);
  gauge('tokenflow_ledger_unavailable', '1 while settlement cannot write the ledger (holds are then limited by UNSETTLED_LIMIT_USD)', (r) => (r.ledger_unavailable_since ? 1 : 0));
}
