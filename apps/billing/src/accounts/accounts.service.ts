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
  usdToNano,
} from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { BalanceCache } from '../holds/balance-cache';
import type { AccountEntity } from '../db/entities';
import { AccountsRepository } from './accounts.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(id: string): boolean {
  return UUID.test(id);
}

@Injectable()
export class AccountsService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly cache: BalanceCache,
    private readonly bus: NatsBus,
  ) {}

  async create(req: AccountCreateRequest): Promise<AccountView> {
    const credit = usd(req.credit_usd ?? '0', 'credit_usd');
    const limit = usd(req.credit_limit_usd ?? '0', 'credit_limit_usd');
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
    const amount = usd(req.amount_usd, 'amount_usd');
    if (amount === 0n) throw new TfError('invalid_request', 'amount_usd must be greater than zero.', { param: 'amount_usd' });
    await this.get(req.account_id);
    const applied = await this.accounts.credit(req.account_id, amount, req.idempotency_key, req.note ?? null);
    return this.afterMove(req.account_id, applied);
  }

  /** Refunds and adjustments: corrections are new entries, never edits of old ones. */
  async adjust(req: AccountAdjustRequest): Promise<AccountCreditReply> {
    const negative = req.amount_usd.startsWith('-');
    const magnitude = usd(negative ? req.amount_usd.slice(1) : req.amount_usd, 'amount_usd');
    if (magnitude === 0n || (negative && req.kind === 'refund')) {
      throw new TfError('invalid_request', 'amount_usd must be non-zero, and positive for a refund.', { param: 'amount_usd' });
    }
    await this.get(req.account_id);
    const amount = negative ? -magnitude : magnitude;
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

function usd(value: string, param: string): bigint {
  const nano = usdToNano(value);
  if (nano === null) throw new TfError('invalid_request', `${param} must be a non-negative USD decimal string such as "10.00".`, { param });
  return nano;
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
