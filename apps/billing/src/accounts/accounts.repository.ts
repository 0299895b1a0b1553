import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccountEntity } from '../db/entities';

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

  async balanceNano(id: string): Promise<bigint | null> {
    const rows = await this.db.query(`SELECT balance_nano FROM billing.accounts WHERE id = $1`, [id]);
    return rows.length ? BigInt(rows[0].balance_nano) : null;
  }
}
