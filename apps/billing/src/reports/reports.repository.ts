import { Injectable } from '@nestjs/common';
import type { UsageGroupBy } from '@tokenflow/contracts';
import { DataSource } from 'typeorm';

export interface UsageFilter {
  accountId: string | null;
  keyId: string | null;
  model: string | null;
  from: Date | null;
  to: Date | null;
}

export interface UsageAggregate {
  group: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costNano: bigint;
}

/** Fixed SQL per grouping (never interpolated from input). Times are UTC. */
const GROUP_SQL: Record<UsageGroupBy | 'total', string> = {
  total: `'total'`,
  model: `model`,
  key: `key_id::text`,
  day: `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
  hour: `to_char(date_trunc('hour', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:00:00"Z"')`,
};

/** Reports are queries over the ledger: the numbers a customer is billed from, not a separate counter. */
@Injectable()
export class ReportsRepository {
  constructor(private readonly db: DataSource) {}

  async usage(f: UsageFilter, groupBy: UsageGroupBy | 'total'): Promise<UsageAggregate[]> {
    const rows: { grp: string; requests: string; prompt: string; completion: string; cost: string }[] = await this.db.query(
      `SELECT ${GROUP_SQL[groupBy]} AS grp, count(DISTINCT request_id)::text AS requests,
              coalesce(sum(prompt_tokens), 0)::text AS prompt, coalesce(sum(completion_tokens), 0)::text AS completion,
              coalesce(sum(-amount_nano), 0)::text AS cost
       FROM billing.ledger_entries
       WHERE kind = 'usage'
         AND ($1::uuid IS NULL OR account_id = $1) AND ($2::uuid IS NULL OR key_id = $2) AND ($3::text IS NULL OR model = $3)
         AND ($4::timestamptz IS NULL OR created_at >= $4) AND ($5::timestamptz IS NULL OR created_at < $5)
       GROUP BY 1 ORDER BY 1`,
      [f.accountId, f.keyId, f.model, f.from, f.to],
    );
    return rows.map((r) => ({
      group: r.grp ?? 'unknown',
      requests: Number(r.requests),
      promptTokens: Number(r.prompt),
      completionTokens: Number(r.completion),
      costNano: BigInt(r.cost),
    }));
  }

  /** A key's spend: all time, since UTC midnight, since the first of the UTC month. */
  async keySpend(keyId: string): Promise<{ total: bigint; today: bigint; month: bigint }> {
    const [r] = await this.db.query(
      `SELECT coalesce(sum(-amount_nano), 0)::text AS total,
              coalesce(sum(-amount_nano) FILTER (WHERE created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), 0)::text AS today,
              coalesce(sum(-amount_nano) FILTER (WHERE created_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), 0)::text AS month
       FROM billing.ledger_entries WHERE kind = 'usage' AND key_id = $1`,
      [keyId],
    );
    return { total: BigInt(r.total), today: BigInt(r.today), month: BigInt(r.month) };
  }
}
