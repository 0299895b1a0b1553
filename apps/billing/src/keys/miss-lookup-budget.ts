/**
 * How many database lookups of unknown key hashes may run: a token bucket of `perSecond` tokens, refilled
 * continuously, that starts full. A flood of random keys then costs at most `perSecond` queries a second, while a
 * key created a moment ago on another replica (not in this replica's index yet) still resolves.
 */
export class MissLookupBudget {
  private tokens: number;

  constructor(
    private readonly perSecond: number,
    private at: number,
  ) {
    this.tokens = perSecond;
  }

  /** Takes one lookup at `now` (ms) if the budget has one. */
  take(now: number): boolean {
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
