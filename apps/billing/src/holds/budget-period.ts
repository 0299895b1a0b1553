import type { BudgetPeriod } from '@tokenflow/contracts';

/** The current budget window of a key: its id (as cached in Redis) and when it started (UTC). */
export function budgetWindow(period: BudgetPeriod, now = new Date()): { id: string; start: Date | null } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  if (period === 'daily') return { id: `d:${now.toISOString().slice(0, 10)}`, start: new Date(Date.UTC(y, m, now.getUTCDate())) };
  if (period === 'monthly') return { id: `m:${now.toISOString().slice(0, 7)}`, start: new Date(Date.UTC(y, m, 1)) };
  return { id: 't', start: null };
}

/** The start of a cached window id (`d:2026-11-25`, `m:2026-11`, `t`); null = all time. */
export function windowStart(id: string): Date | null {
  if (id.startsWith('d:')) return new Date(`${id.slice(2)}T00:00:00Z`);
  if (id.startsWith('m:')) return new Date(`${id.slice(2)}-01T00:00:00Z`);
  return null;
}
