import { Injectable } from '@nestjs/common';
import {
  type AccountAdjustRequest,
  type AccountCreateRequest,
  type AccountCreditReply,
  type AccountCreditRequest,
  type AccountUpdateRequest,
  type AccountView,
  mergeRateLimits,
  nanoToUsd,
  NO_RATE_LIMITS,
  Subjects,
  TfError,
} from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { BalanceCache } from '../holds/balance-cache';
import type { AccountEntity } from '../db/entities';
import { isUuid } from './account-ids';
import { adjustmentNano, parseUsd } from './account-amounts';
import { AccountsRepository } from './accounts.repository';

@Injectable()
export class AccountsService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly cache: BalanceCache,
    private readonly bus: NatsBus,
  ) {}

  async create(req: AccountCreateRequest): Promise<AccountView> {
    const credit = parseUsd(req.credit_usd ?? '0', 'credit_usd');
    const limit = parseUsd(req.credit_limit_usd ?? '0', 'credit_limit_usd');
    return toView(await this.accounts.create(req.name, credit, limit, mergeRateLimits(null, req)));
  }

  /** New rate limits for the account; every replica drops its cached principals of the account's keys. */
  async update(req: AccountUpdateRequest): Promise<AccountView> {
    const current = await this.get(req.id);
    await this.accounts.setRateLimits(req.id, mergeRateLimits(current.rate_limits, req));
    this.bus.emit(Subjects.billingAccountChanged, { accountId: req.id });
    return this.get(req.id);
  }

  /** A top-up: one ledger entry per idempotency key, and the new balance pushed to the hold cache at once. */
  async credit(req: AccountCreditRequest): Promise<AccountCreditReply> {
    const amount = parseUsd(req.amount_usd, 'amount_usd');
    if (amount === 0n) throw new TfError('invalid_request', 'amount_usd must be greater than zero.', { param: 'amount_usd' });
    await this.get(req.account_id);
    const applied = await this.accounts.credit(req.account_id, amount, req.idempotency_key, req.note ?? null);
    return this.afterMove(req.account_id, applied);
  }

  /** Refunds and adjustments: corrections are new entries, never edits of old ones. */
  async adjust(req: AccountAdjustRequest): Promise<AccountCreditReply> {
    const amount = adjustmentNano(req.amount_usd, req.kind);
    await this.get(req.account_id);
    const applied = await this.accounts.adjust(req.account_id, req.kind, amount, req.idempotency_key, req.note, req.request_id ?? null);
    return this.afterMove(req.account_id, applied);
  }

  private async afterMove(accountId: string, applied: boolean): Promise<AccountCreditReply> {
    const snapshot = await this.accounts.snapshot(accountId);
    if (snapshot) await this.cache.sync(snapshot);
    return { account: await this.get(accountId), applied };
  }

  async get(id: string): Promise<AccountView> {
    const account = isUuid(id) ? await this.accounts.findById(id) : null;
    if (!account) throw new TfError('not_found', `No account with id '${id}'.`, { param: 'id' });
    return toView(account);
  }
}

function toView(a: AccountEntity): AccountView {
  return {
    id: a.id,
    name: a.name,
    balance_usd: nanoToUsd(a.balanceNano),
    credit_limit_usd: nanoToUsd(a.creditLimitNano),
    rate_limits: a.rateLimits ?? NO_RATE_LIMITS,
    created_at: a.createdAt.toISOString(),
  };
}
