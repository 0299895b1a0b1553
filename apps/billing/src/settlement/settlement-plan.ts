import { type HoldReleaseEvent, type PriceQuote, Subjects, type UsageRecordedEvent, usageCostNano } from '@tokenflow/contracts';
import type { DeliveredEvent } from '@tokenflow/messaging';
import type { HoldMovement, UsageEntry } from './ledger.repository';

/**
 * The decisions of one settlement batch, without I/O: what the events ask of the ledger, how usage is priced, which
 * holds a batch closes and which releases came too early. SettlementService does the reads and writes around them.
 */

/** A hold to close in this batch; the amount is known when billing already freed it itself. */
export type HoldEnd = HoldReleaseEvent & { model: string | null; requested: boolean };

export interface SettlementPlan {
  /** Usage events, in delivery order (each is priced, then written once under `usage:<eventId>`). */
  usage: UsageRecordedEvent[];
  /** Hold entries to write (spendable → escrow). */
  holds: HoldMovement[];
  /** One end per request, in first-seen order: a release event, or the request's usage (which ends it too). */
  ends: HoldEnd[];
}

/** Usage recorded without a price (no quote, no price-book version): written at zero cost, and logged. */
export const ZERO_QUOTE: PriceQuote = { inputNanoPerToken: '0', outputNanoPerToken: '0' };

export function planSettlement(batch: DeliveredEvent[]): SettlementPlan {
  const usage: UsageRecordedEvent[] = [];
  const holds: HoldMovement[] = [];
  const ending = new Map<string, HoldEnd>();
  for (const e of batch) {
    if (e.subject === Subjects.billingHoldsPlaced) {
      for (const h of e.payload.holds) {
        holds.push({ requestId: h.requestId, accountId: h.accountId, keyId: h.keyId, model: h.model, amountNano: BigInt(h.amountNano), note: null });
      }
    } else if (e.subject === Subjects.billingHoldRelease) {
      // A release event wins over a usage end of the same request: it may carry the amount billing already freed.
      ending.set(e.payload.requestId, { ...e.payload, model: null, requested: true });
    } else if (e.subject === Subjects.usageRecorded) {
      const u = e.payload;
      usage.push(u);
      if (!ending.has(u.requestId)) ending.set(u.requestId, { requestId: u.requestId, accountId: u.accountId, keyId: u.keyId, model: u.model, requested: false });
    }
  }
  return { usage, holds, ends: [...ending.values()] };
}

/** The price quoted when the request started, or null for events from before quotes existed. */
export function carriedQuote(e: UsageRecordedEvent): PriceQuote | null {
  if (e.inputNanoPerToken === undefined || e.outputNanoPerToken === undefined) return null;
  const quote: PriceQuote = { inputNanoPerToken: e.inputNanoPerToken, outputNanoPerToken: e.outputNanoPerToken, cachedInputNanoPerToken: e.cachedInputNanoPerToken };
  // The dearer prices quoted at the start (cache writes, audio) travel with the event like the plain ones.
  for (const k of ['cacheWriteNanoPerToken', 'cacheWrite1hNanoPerToken', 'audioInputNanoPerToken', 'audioOutputNanoPerToken'] as const) {
    if (e[k] !== undefined) quote[k] = e[k];
  }
  return quote;
}

/** The ledger entry of one usage event: a debit of exactly its cost at `quote`, keyed by the event id. */
export function usageEntry(e: UsageRecordedEvent, quote: PriceQuote): UsageEntry {
  return {
    idempotencyKey: `usage:${e.eventId}`,
    accountId: e.accountId,
    amountNano: -usageCostNano(e, quote),
    requestId: e.requestId,
    keyId: e.keyId,
    model: e.model,
    channelId: e.channelId,
    promptTokens: e.promptTokens,
    completionTokens: e.completionTokens,
    cachedTokens: e.cachedTokens,
    reasoningTokens: e.reasoningTokens,
    inputPriceNano: BigInt(quote.inputNanoPerToken),
    outputPriceNano: BigInt(quote.outputNanoPerToken),
    cachedInputPriceNano: quote.cachedInputNanoPerToken === undefined ? null : BigInt(quote.cachedInputNanoPerToken),
    category: categoryOf(e),
    outcome: e.outcome ?? null,
  };
}

/** The longest category name kept: the classifier's are short words; anything else is not a category. */
const MAX_CATEGORY_LENGTH = 64;

/** The event's `auto` category, if it carries a plausible one (events from before categories have none). */
function categoryOf(e: UsageRecordedEvent): string | null {
  return typeof e.category === 'string' && e.category.length > 0 && e.category.length <= MAX_CATEGORY_LENGTH ? e.category : null;
}

/** The amount an end's release records when billing freed the hold itself (it travels with the event). */
export function freedAmount(end: HoldEnd): bigint | undefined {
  return end.amountNano !== undefined ? BigInt(end.amountNano) : undefined;
}

/**
 * Release entries for the ends that still have an open hold; `amounts[i]` is what the hold of `ends[i]` reserves,
 * null when there is none (released before, or never placed): nothing to release then.
 */
export function releaseMovements(ends: HoldEnd[], amounts: (bigint | null)[]): HoldMovement[] {
  return ends.flatMap((r, i) => {
    const amountNano = amounts[i];
    if (amountNano === null || amountNano === undefined) return [];
    return [{ requestId: r.requestId, accountId: r.accountId, keyId: r.keyId, model: r.model, amountNano, note: r.reason ?? 'settled' }];
  });
}

/**
 * Release events that found no hold to close: the hold may still be on its way (ingress gave up on a slow billing),
 * so it must be refused when it arrives. A usage end without a hold is not one of them.
 */
export function abandonedEnds(ends: HoldEnd[], releases: HoldMovement[]): HoldEnd[] {
  const recorded = new Set(releases.map((m) => m.requestId));
  return ends.filter((r) => r.requested && !recorded.has(r.requestId));
}

/** Accounts whose balance the usage moved, each once. */
export function touchedAccounts(usage: UsageEntry[]): string[] {
  return [...new Set(usage.map((e) => e.accountId))];
}

/** Each charged key once, with its account: the key budgets to refresh from the ledger. */
export function chargedKeys(usage: UsageEntry[]): Map<string, string> {
  return new Map(usage.map((e) => [e.keyId, e.accountId]));
}
