import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

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

  /**
   * Appends a batch of usage entries and debits the accounts in ONE statement: entries whose idempotency key is
   * already in the ledger are skipped by ON CONFLICT, and only the rows actually inserted move balances. A
   * redelivered batch is therefore a no-op, and a crash can never leave an entry without its debit.
   * Returns how many entries were new.
   */
  async appendUsage(entries: UsageEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    const col = <T>(f: (e: UsageEntry) => T) => entries.map(f);
    return this.db.transaction(async (tx) => {
      // Lock the accounts in one global order first: two settlement replicas touching the same accounts then queue
      // instead of deadlocking.
      await tx.query(`SELECT id FROM billing.accounts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [[...new Set(col((e) => e.accountId))]]);
      const rows: { inserted: string }[] = await tx.query(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::uuid[], $3::bigint[], $4::text[], $5::uuid[], $6::text[], $7::text[],
                              $8::int[], $9::int[], $10::int[], $11::int[], $12::bigint[], $13::bigint[], $14::bigint[])
           AS t(idempotency_key, account_id, amount_nano, request_id, key_id, model, channel_id,
                prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, input_price_nano, output_price_nano,
                cached_input_price_nano)
       ), ins AS (
         INSERT INTO billing.ledger_entries (idempotency_key, account_id, kind, amount_nano, request_id, key_id, model,
           channel_id, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, input_price_nano, output_price_nano,
           cached_input_price_nano, debit_account, credit_account)
         SELECT idempotency_key, account_id, 'usage', amount_nano, request_id, key_id, model, channel_id,
           prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, input_price_nano, output_price_nano,
           cached_input_price_nano, 'account:' || account_id, 'system:revenue'
         FROM input
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
      ],
      );
      return Number(rows[0].inserted);
    });
  }
}
