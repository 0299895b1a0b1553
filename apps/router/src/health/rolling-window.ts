/** The window is cut into this many buckets: old attempts leave it a bucket at a time. */
const BUCKETS = 10;
/** TTFT samples kept per target for its median (the newest ones). */
const TTFT_SAMPLES = 64;

export interface WindowTotals {
  ok: number;
  failed: number;
  outputTokens: number;
  streamMs: number;
}

/**
 * Attempt outcomes of one key or channel over the last `windowMs`, in fixed buckets: adding is O(1), reading is
 * O(buckets), and memory does not grow with traffic.
 */
export class RollingWindow {
  private readonly bucketMs: number;
  private readonly slot = new Float64Array(BUCKETS).fill(-1);
  private readonly ok = new Float64Array(BUCKETS);
  private readonly failed = new Float64Array(BUCKETS);
  private readonly tokens = new Float64Array(BUCKETS);
  private readonly streamMs = new Float64Array(BUCKETS);
  private readonly ttft: { at: number; ms: number }[] = [];
  private ttftNext = 0;

  constructor(private readonly windowMs: number) {
    this.bucketMs = Math.max(1, Math.ceil(windowMs / BUCKETS));
  }

  add(now: number, ok: number, failed: number, outputTokens: number, streamMs: number, ttftMs: readonly number[]): void {
    const n = Math.floor(now / this.bucketMs);
    const i = n % BUCKETS;
    if (this.slot[i] !== n) {
      this.slot[i] = n;
      this.ok[i] = this.failed[i] = this.tokens[i] = this.streamMs[i] = 0;
    }
    this.ok[i] += ok;
    this.failed[i] += failed;
    this.tokens[i] += outputTokens;
    this.streamMs[i] += streamMs;
    for (const ms of ttftMs) {
      if (this.ttft.length < TTFT_SAMPLES) this.ttft.push({ at: now, ms });
      else this.ttft[this.ttftNext] = { at: now, ms };
      this.ttftNext = (this.ttftNext + 1) % TTFT_SAMPLES;
    }
  }

  totals(now: number): WindowTotals {
    const oldest = Math.floor(now / this.bucketMs) - BUCKETS + 1;
    const t: WindowTotals = { ok: 0, failed: 0, outputTokens: 0, streamMs: 0 };
    for (let i = 0; i < BUCKETS; i++) {
      if (this.slot[i] < oldest) continue;
      t.ok += this.ok[i];
      t.failed += this.failed[i];
      t.outputTokens += this.tokens[i];
      t.streamMs += this.streamMs[i];
    }
    return t;
  }

  /** The median and 95th percentile time to first token of the samples still inside the window; null without any. */
  ttftPercentiles(now: number): { p50: number; p95: number } | null {
    const recent = this.ttft.filter((s) => s.at > now - this.windowMs).map((s) => s.ms);
    if (recent.length === 0) return null;
    recent.sort((a, b) => a - b);
    return { p50: recent[Math.floor((recent.length - 1) / 2)], p95: recent[Math.ceil(0.95 * recent.length) - 1] };
  }

  /** A breaker that closes starts from a clean slate: the errors that opened it no longer count. */
  clear(): void {
    this.slot.fill(-1);
    this.ttft.length = 0;
    this.ttftNext = 0;
  }
}
