import { type KeyBudget, nanoToUsd, type PriceQuote, TfError } from '@tokenflow/contracts';
import type { BudgetArgs } from './balance-cache';
import { budgetWindow } from './budget-period';
import { maxCostNano } from '../prices/request-quote';

/**
 * A request's maximum cost, the most it can be billed at its quote (see `maxCostNano`): every prompt token at the
 * dearest prompt price (input, or a cache write the request marks; a cached price is never above input), audio input
 * at the audio price, plus the output limit at the output price. Exact in nano-USD; negative counts count as zero.
 */
export function holdAmountNano(promptTokens: number, maxOutputTokens: number, price: PriceQuote, audioTokens = 0): bigint {
  return maxCostNano(promptTokens, maxOutputTokens, price, audioTokens);
}

/** The key budget a hold is checked against: its limit and the window in force at `now` (none without a budget). */
export function holdBudget(keyBudget: KeyBudget | null, now = new Date()): { window: { id: string; start: Date | null } | null; budget: BudgetArgs | null } {
  if (!keyBudget) return { window: null, budget: null };
  const window = budgetWindow(keyBudget.period, now);
  return { window, budget: { limitNano: BigInt(keyBudget.limitNano), windowId: window.id } };
}

/** The 429 for a refused hold: what the request may cost and what the account (or the key's budget) has left. */
export function holdRefusal(short: 'account' | 'key-budget', remainingNano: bigint, amountNano: bigint, keyBudget: KeyBudget | null): TfError {
  const left = nanoToUsd(remainingNano > 0n ? remainingNano : 0n);
  const what =
    short === 'account' || !keyBudget
      ? `the account has $${left} available`
      : `this API key's ${keyBudget.period} budget of $${nanoToUsd(BigInt(keyBudget.limitNano))} has $${left} left`;
  return new TfError(
    'insufficient_quota',
    `You exceeded your current quota: this request may cost up to $${nanoToUsd(amountNano)} and ${what}. Add credits or lower max_tokens.`,
  );
}
