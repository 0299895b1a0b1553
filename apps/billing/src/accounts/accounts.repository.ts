import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccountEntity } from '../db/entities';
import type { BalanceSnapshot } from '../holds/balance-cache';

@Injectable()
export class AccountsRepository {
  constructor(private readonly db: DataSource) {}

  findById(id: string): Promise<AccountEntity | null> {
    return this.db.getRepository(AccountEntity).findOneBy({ id });
  }

  /** Creates the account and, when there is an opening credit, its top-up ledger entry, atomically. */
  async create(name: string, creditNano: bigint): Promise<AccountEntity> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query(
        `INSERT INTO billing.accounts (name, balance_nano) VALUES ($1, $2) RETURNING id`,
        [name, creditNano.toString()],
      );
      if (creditNano > 0n) {
        await tx.query(
          `INSERT INTO billing.ledger_entries (idempotency_key, account_id, kind, amount_nano)
           VALUES ($1, $2, 'top_up', $3)`,
          [`top_up:opening:${row.id}`, row.id, creditNano.toString()],
        );
      }
      return (await tx.getRepository(AccountEntity).findOneByOrFail({ id: row.id }))!;
    });
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
