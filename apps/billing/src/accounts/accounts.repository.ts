import { Injectable } from '@nestjs/common';
import type { RateLimitsView } from '@tokenflow/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { AccountEntity } from '../db/entities';
import type { BalanceSnapshot } from '../holds/balance-cache';
import { type AccountMoveKind, postingAccounts } from './posting-accounts';

@Injectable()
export class AccountsRepository {
  constructor(private readonly db: DataSource) {}

  findById(id: string): Promise<AccountEntity | null> {
    return this.db.getRepository(AccountEntity).findOneBy({ id });
  }

  /** Creates the account and, when there is an opening credit, its top-up ledger entry, atomically. */
  async create(name: string, creditNano: bigint, creditLimitNano: bigint, rateLimits: RateLimitsView): Promise<AccountEntity> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query(`INSERT INTO billing.accounts (name, credit_limit_nano, rate_limits) VALUES ($1, $2, $3) RETURNING id`, [
        name,
        creditLimitNano.toString(),
        JSON.stringify(rateLimits),
      ]);
      if (creditNano > 0n) await this.topUp(tx, row.id, creditNano, `top_up:opening:${row.id}`, 'opening credit');
      return (await tx.getRepository(AccountEntity).findOneByOrFail({ id: row.id }))!;
    });
  }

  async setRateLimits(id: string, rateLimits: RateLimitsView): Promise<void> {
    await this.db.query(`UPDATE billing.accounts SET rate_limits = $2, updated_at = now() WHERE id = $1`, [id, JSON.stringify(rateLimits)]);
  }

  /** Adds funds once per idempotency key; returns whether this call applied them. */
  async credit(id: string, amountNano: bigint, idempotencyKey: string, note: string | null): Promise<boolean> {
    return this.db.transaction((tx) => this.topUp(tx, id, amountNano, `top_up:${id}:${idempotencyKey}`, note));
  }

  /**
   * A refund (from revenue back to the customer) or an adjustment (either way, against `system:adjustments`), once
   * per idempotency key.
   */
  async adjust(id: string, kind: 'refund' | 'adjustment', amountNano: bigint, idempotencyKey: string, note: string, requestId: string | null): Promise<boolean> {
    return this.db.transaction((tx) => this.move(tx, id, kind, amountNano, `${kind}:${id}:${idempotencyKey}`, note, requestId));
  }

  private topUp(tx: EntityManager, id: string, amountNano: bigint, idempotencyKey: string, note: string | null): Promise<boolean> {
    return this.move(tx, id, 'top_up', amountNano, idempotencyKey, note, null);
  }

  /** One ledger entry and its balance change, in the caller's transaction; `amountNano` is signed for the customer. */
  private async move(
    tx: EntityManager,
    id: string,
    kind: AccountMoveKind,
    amountNano: bigint,
    idempotencyKey: string,
    note: string | null,
    requestId: string | null,
  ): Promise<boolean> {
    const { debit, credit } = postingAccounts(kind, id, amountNano);
    const inserted = await tx.query(
      `INSERT INTO billing.ledger_entries (idempotency_key, account_id, kind, amount_nano, posting_nano, debit_account, credit_account, note, request_id)
       VALUES ($1, $2::uuid, $3, $4, abs($4::bigint), $5, $6, $7, $8)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
      [idempotencyKey, id, kind, amountNano.toString(), debit, credit, note, requestId],
    );
    if (inserted.length === 0) return false;
    await tx.query(`UPDATE billing.accounts SET balance_nano = balance_nano + $2, version = version + 1, updated_at = now() WHERE id = $1`, [
      id,
      amountNano.toString(),
    ]);
    return true;
  }

  /** Current balances with their versions, for pushing to the Redis cache. */
  async snapshots(ids: string[]): Promise<BalanceSnapshot[]> {
    if (ids.length === 0) return [];
    const rows: { id: string; balance_nano: string; credit_limit_nano: string; version: string }[] = await this.db.query(
      `SELECT id, balance_nano::text, credit_limit_nano::text, version::text FROM billing.accounts WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map((r) => ({
      accountId: r.id,
      balanceNano: BigInt(r.balance_nano),
      creditLimitNano: BigInt(r.credit_limit_nano),
      version: BigInt(r.version),
    }));
  }

  async snapshot(id: string): Promise<BalanceSnapshot | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    return (await this.snapshots([id]))[0] ?? null;
  }
}
