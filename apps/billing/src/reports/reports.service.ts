import { Injectable } from '@nestjs/common';
import { type BudgetPeriod, type KeyInfoReply, nanoToUsd, NO_RATE_LIMITS, TfError, type UsageReportReply, type UsageReportRequest } from '@tokenflow/contracts';
import { AccountsRepository } from '../accounts/accounts.repository';
import { budgetWindow } from '../holds/budget-period';
import { KeysRepository } from '../keys/keys.repository';
import { LedgerRepository } from '../settlement/ledger.repository';
import { ReportsRepository } from './reports.repository';
import { budgetRemainingNano, usageFilterOf, usageReportOf } from './usage-report';

@Injectable()
export class ReportsService {
  constructor(
    private readonly reports: ReportsRepository,
    private readonly keys: KeysRepository,
    private readonly accounts: AccountsRepository,
    private readonly ledger: LedgerRepository,
  ) {}

  async usage(q: UsageReportRequest): Promise<UsageReportReply> {
    const filter = usageFilterOf(q);
    return usageReportOf(q, filter, await this.reports.usage(filter, q.group_by ?? 'total'));
  }

  private async budgetView(keyId: string, limit: bigint | null, period: BudgetPeriod | null): Promise<KeyInfoReply['budget']> {
    if (limit === null || period === null) return null;
    const spent = await this.ledger.keySpendSince(keyId, budgetWindow(period).start);
    return { limit_usd: nanoToUsd(limit), period, remaining_usd: nanoToUsd(budgetRemainingNano(limit, spent)) };
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
