import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AccountEntity } from '../db/entities';
import type { BalanceSnapshot } from '../holds/balance-cache';

@Injectable()
export class AccountsRepository {
  constructor(private readonly db: DataSource) {}

  findById(id: string): Promise<AccountEntity | null> {
    return this.db.getRepository(AccountEntity).findOneBy({ id });
  }

  /** Creates the account and, when there is an opening credit, its top-up ledger entry, atomically. */
  async create(name: string, creditNano: bigint, creditLimitNano: bigint): Promise<AccountEntity> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query(`INSERT INTO billing.accounts (name, credit_limit_nano) VALUES ($1, $2) RETURNING id`, [
        name,
        creditLimitNano.toString(),
      ]);
      if (creditNano > 0n) await this.topUp(tx, row.id, creditNano, `top_up:opening:${row.id}`, 'opening credit');
      return (await tx.getRepository(AccountEntity).findOneByOrFail({ id: row.id }))!;
    });
  }

  /** Adds funds once per idempotency key; returns whether this call applied them. */
  async credit(id: string, amountNano: bigint, idempotencyKey: string, note: string | null): Promise<boolean> {
    return this.db.transaction((tx) => this.topUp(tx, id, amountNano, `top_up:${id}:${idempotencyKey}`, note));
  }

  private async topUp(tx: EntityManager, id: string, amountNano: bigint, idempotencyKey: string, note: string | null): Promise<boolean> {
    const inserted = await tx.query(
      `INSERT INTO billing.ledger_entries (idempotency_key, account_id, kind, amount_nano, debit_account, credit_account, note)
       VALUES ($1, $2::uuid, 'top_up', $3, 'system:funding', 'account:' || $2::text, $4)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
      [idempotencyKey, id, amountNano.toString(), note],
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
