import { Client } from 'pg';

export interface UsageRow {
  request_id: string;
  amount_nano: string;
  prompt_tokens: number;
  completion_tokens: number;
  model: string;
}

/** Read-only look at the ledger, to check what billing wrote (tests never write to it). */
export async function withDb<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export function usageRows(url: string, accountId: string): Promise<UsageRow[]> {
  return withDb(url, async (c) => {
    const r = await c.query(
      `SELECT request_id, amount_nano::text, prompt_tokens, completion_tokens, model
       FROM billing.ledger_entries WHERE account_id = $1 AND kind = 'usage' ORDER BY id`,
      [accountId],
    );
    return r.rows as UsageRow[];
  });
}

export function balanceNano(url: string, accountId: string): Promise<bigint> {
  return withDb(url, async (c) => {
    const r = await c.query(`SELECT balance_nano::text AS b FROM billing.accounts WHERE id = $1`, [accountId]);
    return BigInt(r.rows[0].b);
  });
}

/** The account's escrow as the ledger has it: hold and release entries, open holds, and the escrow's postings. */
export function escrowState(url: string, accountId: string): Promise<{ holds: number; releases: number; open: number; escrow_nano: string }> {
  return withDb(url, async (c) => {
    const r = await c.query(
      `SELECT (SELECT count(*)::int FROM billing.ledger_entries WHERE account_id = $1 AND kind = 'hold') AS holds,
              (SELECT count(*)::int FROM billing.ledger_entries WHERE account_id = $1 AND kind = 'release') AS releases,
              (SELECT count(*)::int FROM billing.open_holds WHERE account_id = $1) AS open,
              (SELECT coalesce(sum(amount_nano), 0)::text FROM billing.postings WHERE account = 'escrow:' || $1) AS escrow_nano`,
      [accountId],
    );
    return r.rows[0];
  });
}
