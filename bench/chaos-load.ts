import { Headers } from '@tokenflow/contracts';

/** What one request got, as the client saw it. */
export interface Outcome {
  ok: boolean;
  /** The HTTP status; `200 broken` for a stream that ended without `[DONE]` or with an error event; `ERR`/`timeout`. */
  status: string;
  ms: number;
  /** From `x-tokenflow-attempts`; undefined when the gateway does not send it. */
  attempts?: number;
  /** From `x-tokenflow-model`: which model answered. */
  model?: string;
}

export interface LoadOptions {
  url: string;
  key: string;
  body: object;
  stream: boolean;
  requests: number;
  concurrency: number;
  timeoutMs: number;
}

/** Sends `requests` copies of the body, `concurrency` at a time, and records each outcome. */
export async function runLoad(o: LoadOptions): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < o.requests) {
      next++;
      outcomes.push(await send(o));
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return outcomes;
}

async function send(o: LoadOptions): Promise<Outcome> {
  const started = performance.now();
  try {
    const res = await fetch(o.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${o.key}` },
      body: JSON.stringify({ ...o.body, stream: o.stream }),
      signal: AbortSignal.timeout(o.timeoutMs),
    });
    const text = await res.text();
    const ms = performance.now() - started;
    const header = res.headers.get(Headers.attempts);
    const attempts = header === null ? undefined : Number(header);
    const model = res.headers.get(Headers.model) ?? undefined;
    if (res.status !== 200) return { ok: false, status: String(res.status), ms, attempts, model };
    const ok = o.stream ? streamCompleted(text) : answered(text);
    return { ok, status: ok ? '200' : '200 broken', ms, attempts, model };
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    return { ok: false, status: timedOut ? 'timeout' : 'ERR', ms: performance.now() - started };
  }
}

function streamCompleted(text: string): boolean {
  return /^data: \[DONE\]\s*$/m.test(text) && !/^data: \{"error"/m.test(text);
}

function answered(text: string): boolean {
  try {
    const body = JSON.parse(text) as { choices?: unknown[] };
    return Array.isArray(body.choices) && body.choices.length > 0;
  } catch {
    return false;
  }
}

export interface Summary {
  requests: number;
  okShare: number;
  /** Of the successful requests; NaN when none succeeded. */
  p50: number;
  p99: number;
  /** Undefined when no response carried `x-tokenflow-attempts`. */
  attemptsMean?: number;
  attemptsMax?: number;
  /** e.g. `502×80, 429×3`. */
  failures: string;
  /** Median time to the failure answer: does a dead upstream fail fast or hang? NaN when nothing failed. */
  failureP50: number;
  /** Which model answered the successful requests, e.g. `deepseek-v3 318, qwen-max 82`. */
  servedBy: string;
}

export function summarise(outcomes: Outcome[]): Summary {
  const ok = outcomes.filter((o) => o.ok);
  const failed = outcomes.filter((o) => !o.ok);
  const latencies = ok.map((o) => o.ms);
  const attempts = outcomes.flatMap((o) => (o.attempts === undefined || Number.isNaN(o.attempts) ? [] : [o.attempts]));
  return {
    requests: outcomes.length,
    okShare: ok.length / outcomes.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    attemptsMean: attempts.length ? attempts.reduce((a, b) => a + b, 0) / attempts.length : undefined,
    attemptsMax: attempts.length ? Math.max(...attempts) : undefined,
    failures: tally(failed.map((o) => o.status), '×'),
    failureP50: percentile(failed.map((o) => o.ms), 50),
    servedBy: tally(ok.map((o) => o.model ?? '?'), ' '),
  };
}

/** Nearest rank; NaN for no values. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Counts of each value, most frequent first: `a×3, b×1` (or `a 3, b 1`). */
function tally(values: string[], sep: string): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([v, n]) => `${v}${sep}${n}`).join(', ') || '—';
}
