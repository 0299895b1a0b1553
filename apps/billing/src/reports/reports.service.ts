import { Injectable } from '@nestjs/common';
import {
  type BudgetPeriod,
  type KeyInfoReply,
  nanoToUsd,
  TfError,
  type UsageReportReply,
  type UsageReportRequest, NO_RATE_LIMITS } from '@tokenflow/contracts';
import { AccountsRepository } from '../accounts/accounts.repository';
import { isUuid } from '../accounts/accounts.service';
import { budgetWindow } from '../holds/budget-period';
import { KeysRepository } from '../keys/keys.repository';
import { LedgerRepository } from '../settlement/ledger.repository';
import { type UsageAggregate, ReportsRepository } from './reports.repository';

@Injectable()
export class ReportsService {
  constructor(
    private readonly reports: ReportsRepository,
    private readonly keys: KeysRepository,
    private readonly accounts: AccountsRepository,
    private readonly ledger: LedgerRepository,
  ) {}

  async usage(q: UsageReportRequest): Promise<UsageReportReply> {
    const filter = {
      accountId: uuidOrNull(q.account_id, 'account_id'),
      keyId: uuidOrNull(q.key_id, 'key_id'),
      model: q.model ?? null,
      from: timeOrNull(q.from, 'from'),
      to: timeOrNull(q.to, 'to'),
    };
    const rows = await this.reports.usage(filter, q.group_by ?? 'total');
    const total = rows.reduce(
      (t, r) => ({
        group: 'total',
        requests: t.requests + r.requests,
        promptTokens: t.promptTokens + r.promptTokens,
        completionTokens: t.completionTokens + r.completionTokens,
        costNano: t.costNano + r.costNano,
      }),
      { group: 'total', requests: 0, promptTokens: 0, completionTokens: 0, costNano: 0n } as UsageAggregate,
    );
    const { group: _g, ...totalView } = view(total);
    return {
      object: 'usage_report',
      group_by: q.group_by ?? null,
      from: filter.from?.toISOString() ?? null,
      to: filter.to?.toISOString() ?? null,
      data: q.group_by ? rows.map(view) : [],
      total: totalView,
    };
  }

  private async budgetView(keyId: string, limit: bigint | null, period: BudgetPeriod | null): Promise<KeyInfoReply['budget']> {
    if (limit === null || period === null) return null;
    const spent = await this.ledger.keySpendSince(keyId, budgetWindow(period).start);
    const remaining = limit - spent;
    return { limit_usd: nanoToUsd(limit), period, remaining_usd: nanoToUsd(remaining > 0n ? remaining : 0n) };
  }

  async keyInfo(keyId: string): Promise<KeyInfoReply> {
    const key = await this.keys.findById(keyId);
    if (!key) throw new TfError('invalid_api_key', 'This API key no longer exists.');
    const [account, spend] = await Promise.all([this.accounts.findById(key.accountId), this.reports.keySpend(keyId)]);
    return {
      object: 'key',
      id: key.id,
      name: key.name,
      models: key.models,
      rate_limits: { key: key.rateLimits ?? NO_RATE_LIMITS, account: account?.rateLimits ?? NO_RATE_LIMITS },
      budget: await this.budgetView(key.id, key.budgetNano, key.budgetPeriod),
      expires_at: key.expiresAt?.toISOString() ?? null,
      spend_usd: { total: nanoToUsd(spend.total), today: nanoToUsd(spend.today), this_month: nanoToUsd(spend.month) },
      account: { balance_usd: nanoToUsd(account?.balanceNano ?? 0n), credit_limit_usd: nanoToUsd(account?.creditLimitNano ?? 0n) },
      created_at: key.createdAt.toISOString(),
    };
  }
}

function view(r: UsageAggregate) {
  return {
    group: r.group,
    requests: r.requests,
    prompt_tokens: r.promptTokens,
    completion_tokens: r.completionTokens,
    cost_usd: nanoToUsd(r.costNano),
  };
}

function uuidOrNull(v: string | undefined, param: string): string | null {
  if (v === undefined) return null;
  if (!isUuid(v)) throw new TfError('invalid_request', `${param} must be an id.`, { param });
  return v;
}

function timeOrNull(v: string | undefined, param: string): Date | null {
  if (v === undefined) return null;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new TfError('invalid_request', `${param} must be an ISO 8601 time.`, { param });
  return d;
}
