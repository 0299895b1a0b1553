import { nanoToUsd, TfError, type UsageReportReply, type UsageReportRequest } from '@tokenflow/contracts';
import { isUuid } from '../accounts/account-ids';
import type { UsageAggregate, UsageFilter } from './reports.repository';

/** The report's filter from the caller's query: ids must be ids and times ISO times, or the query is refused. */
export function usageFilterOf(q: UsageReportRequest): UsageFilter {
  return {
    accountId: uuidOrNull(q.account_id, 'account_id'),
    keyId: uuidOrNull(q.key_id, 'key_id'),
    model: q.model ?? null,
    from: timeOrNull(q.from, 'from'),
    to: timeOrNull(q.to, 'to'),
  };
}

/** The reply: the groups (only when grouped) and their total, summed exactly in nano-USD before turning into USD. */
export function usageReportOf(q: UsageReportRequest, filter: UsageFilter, rows: UsageAggregate[]): UsageReportReply {
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
  const { group: _g, ...totalView } = usageRowView(total);
  return {
    object: 'usage_report',
    group_by: q.group_by ?? null,
    from: filter.from?.toISOString() ?? null,
    to: filter.to?.toISOString() ?? null,
    data: q.group_by ? rows.map(usageRowView) : [],
    total: totalView,
  };
}

/** What a budget has left; spend past the limit (usage settles after its hold) shows as nothing left, not less. */
export function budgetRemainingNano(limitNano: bigint, spentNano: bigint): bigint {
  const remaining = limitNano - spentNano;
  return remaining > 0n ? remaining : 0n;
}

function usageRowView(r: UsageAggregate) {
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
