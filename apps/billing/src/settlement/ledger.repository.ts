import { Injectable } from '@nestjs/common';
import type { UsageRecordedEvent } from '@tokenflow/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { movementParams } from './ledger-params';

export interface UsageEntry {
  idempotencyKey: string;
  accountId: string;
  amountNano: bigint;
  requestId: string;
  keyId: string;
  model: string;
  channelId: string;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  inputPriceNano: bigint;
  outputPriceNano: bigint;
  cachedInputPriceNano: bigint | null;
  /** `auto` requests: the classifier's task category. */
  category: string | null;
  outcome: UsageRecordedEvent['outcome'] | null;
}

/** A hold or release: money moving between a customer's spendable account and its escrow. */
export interface HoldMovement {
  requestId: string;
  accountId: string;
  keyId: string | null;
  model: string | null;
  amountNano: bigint;
  note: string | null;
}

export interface SettlementBatch {
  usage: UsageEntry[];
  holds: HoldMovement[];
  releases: HoldMovement[];
}

@Injectable()
export class LedgerRepository {
  constructor(private readonly db: DataSource) {}

  /** What a key has been charged since `start` (all time when null): the source of truth for key budgets. */
  async keySpendSince(keyId: string, start: Date | null): Promise<bigint> {
    const [r] = await this.db.query(
      `SELECT coalesce(sum(-amount_nano), 0)::text AS spent FROM billing.ledger_entries
       WHERE kind = 'usage' AND key_id = $1 AND ($2::timestamptz IS NULL OR created_at >= $2)`,
      [keyId, start],
    );
    return BigInt(r.spent);
  }

  /** Holds recorded in the ledger before `cutoff` and not released yet, oldest first. */
  async openHoldsBefore(cutoff: Date, limit: number): Promise<{ requestId: string; accountId: string; keyId: string | null; amountNano: bigint }[]> {
    const rows: { request_id: string; account_id: string; key_id: string | null; amount_nano: string }[] = await this.db.query(
      `SELECT request_id, account_id, key_id, amount_nano::text FROM billing.open_holds WHERE created_at < $1 ORDER BY created_at LIMIT $2`,
      [cutoff, limit],
    );
    return rows.map((r) => ({ requestId: r.request_id, accountId: r.account_id, keyId: r.key_id, amountNano: BigInt(r.amount_nano) }));
  }

  /**
   * Writes one settlement batch in one transaction: hold entries, usage entries with their debits, then release
   * entries. Every row carries a unique idempotency key and ON CONFLICT skips what is already there, so a redelivered
   * batch is a no-op and a crash can never leave an entry without its effect. Returns how many usage entries were new.
   */
  async appendBatch(batch: SettlementBatch, statementTimeoutMs?: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      // Shorter than the pool's: a batch stuck behind a lock fails (and is retried) before its ack wait redelivers it.
      if (statementTimeoutMs) await tx.query(`SET LOCAL statement_timeout = ${Math.trunc(statementTimeoutMs)}`);
      await this.appendHolds(tx, batch.holds);
      const inserted = await this.appendUsage(tx, batch.usage);
      await this.appendReleases(tx, batch.releases);
      return inserted;
    });
  }

  /**
   * Usage entries and the account debits in ONE statement: only the rows actually inserted move balances.
   */
  private async appendUsage(tx: EntityManager, entries: UsageEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    const col = <T>(f: (e: UsageEntry) => T) => entries.map(f);
    // Lock the accounts in one global order first: two settlement replicas touching the same accounts then queue
    // instead of deadlocking.
    await tx.query(`SELECT id FROM billing.accounts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [[...new Set(col((e) => e.accountId))]]);
    const rows: { inserted: string }[] = await tx.query(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::uuid[], $3::bigint[], $4::text[], $5::uuid[], $6::text[], $7::text[],
                              $8::int[], $9::int[], $10::int[], $11::int[], $12::bigint[], $13::bigint[], $14::bigint[],
                              $15::text[], $16::text[])
           AS t(idempotency_key, account_id, amount_nano, request_id, key_id, model, channel_id,
                prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, input_price_nano, output_price_nano,
                cached_input_price_nano, category, outcome)
       ), ins AS (
         INSERT INTO billing.ledger_entries (idempotency_key, account_id, kind, amount_nano, request_id, key_id, model,
           channel_id, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, input_price_nano, output_price_nano,
           cached_input_price_nano, category, outcome, posting_nano, debit_account, credit_account)
         SELECT idempotency_key, account_id, 'usage', amount_nano, request_id, key_id, model, channel_id,
           prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, input_price_nano, output_price_nano,
           cached_input_price_nano, category, outcome, abs(amount_nano), 'account:' || account_id, 'system:revenue'
         FROM input ORDER BY idempotency_key
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING account_id, amount_nano
       ), moved AS (
         UPDATE billing.accounts a SET balance_nano = a.balance_nano + d.delta, version = a.version + 1, updated_at = now()
         FROM (SELECT account_id, sum(amount_nano) AS delta FROM ins GROUP BY account_id) d
         WHERE a.id = d.account_id
         RETURNING a.id
       )
       SELECT (SELECT count(*) FROM ins)::text AS inserted`,
      [
        col((e) => e.idempotencyKey),
        col((e) => e.accountId),
        col((e) => e.amountNano.toString()),
        col((e) => e.requestId),
        col((e) => e.keyId),
        col((e) => e.model),
        col((e) => e.channelId),
        col((e) => e.promptTokens),
        col((e) => e.completionTokens),
        col((e) => e.cachedTokens),
        col((e) => e.reasoningTokens),
        col((e) => e.inputPriceNano.toString()),
        col((e) => e.outputPriceNano.toString()),
        col((e) => e.cachedInputPriceNano?.toString() ?? null),
        col((e) => e.category),
        col((e) => e.outcome),
      ],
    );
    return Number(rows[0].inserted);
  }

  /** Hold entries (spendable → escrow), each listed in open_holds until its release. */
  private async appendHolds(tx: EntityManager, holds: HoldMovement[]): Promise<void> {
    if (holds.length === 0) return;
    await tx.query(
      `WITH ins AS (${HOLD_INSERT}
         RETURNING request_id, account_id, key_id, posting_nano
       )
       INSERT INTO billing.open_holds (request_id, account_id, key_id, amount_nano)
       SELECT request_id, account_id, key_id, posting_nano FROM ins ON CONFLICT DO NOTHING`,
      movementParams(holds),
    );
  }

  /**
   * Release entries (escrow → spendable). A hold whose own event has not been written yet (or was lost before it
   * reached JetStream) is recorded here first, from the same amount, so escrow never goes negative; when its event
   * arrives later, its idempotency key is already taken and it is skipped.
   */
  private async appendReleases(tx: EntityManager, releases: HoldMovement[]): Promise<void> {
    if (releases.length === 0) return;
    await tx.query(HOLD_INSERT, movementParams(releases.map((r) => ({ ...r, note: 'recorded with its release' }))));
    await tx.query(
      `WITH input AS (${MOVEMENT_INPUT}), ins AS (
         INSERT INTO billing.ledger_entries (idempotency_key, account_id, kind, amount_nano, posting_nano, request_id, key_id, model,
           debit_account, credit_account, note)
         SELECT 'release:' || request_id, account_id, 'release', 0, amount_nano, request_id, key_id, model,
           'escrow:' || account_id, 'account:' || account_id, note
         FROM input ORDER BY request_id
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING request_id
       )
       DELETE FROM billing.open_holds o USING ins WHERE o.request_id = ins.request_id`,
      movementParams(releases),
    );
  }
}

const MOVEMENT_INPUT = `SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::bigint[], $6::text[])
  AS t(request_id, account_id, key_id, model, amount_nano, note)`;

const HOLD_INSERT = `
  INSERT INTO billing.ledger_entries (idempotency_key, account_id, kind, amount_nano, posting_nano, request_id, key_id, model,
    debit_account, credit_account, note)
  SELECT 'hold:' || request_id, account_id, 'hold', 0, amount_nano, request_id, key_id, model,
    'account:' || account_id, 'escrow:' || account_id, note
  FROM (${MOVEMENT_INPUT}) input ORDER BY request_id
  ON CONFLICT (idempotency_key) DO NOTHING`;
