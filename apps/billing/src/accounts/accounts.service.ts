import { Injectable } from '@nestjs/common';
import { type AccountCreateRequest, type AccountView, nanoToUsd, TfError, usdToNano } from '@tokenflow/contracts';
import type { AccountEntity } from '../db/entities';
import { AccountsRepository } from './accounts.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(id: string): boolean {
  return UUID.test(id);
}

@Injectable()
export class AccountsService {
  constructor(private readonly accounts: AccountsRepository) {}

  async create(req: AccountCreateRequest): Promise<AccountView> {
    const credit = usdToNano(req.credit_usd ?? '0');
    if (credit === null) throw new TfError('invalid_request', 'credit_usd must be a non-negative decimal string', { param: 'credit_usd' });
    return toView(await this.accounts.create(req.name, credit));
  }

  async get(id: string): Promise<AccountView> {
    const account = isUuid(id) ? await this.accounts.findById(id) : null;
    if (!account) throw new TfError('not_found', `No account with id '${id}'.`, { param: 'id' });
    return toView(account);
  }
}

function toView(a: AccountEntity): AccountView {
  return { id: a.id, name: a.name, balance_usd: nanoToUsd(a.balanceNano), created_at: a.createdAt.toISOString() };
}
