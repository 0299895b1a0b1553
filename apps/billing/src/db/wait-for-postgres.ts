import { createLogger, type Logger } from '@tokenflow/observability';
import { Client } from 'pg';

export interface WaitForPostgresOptions {
  /** First pause after a failed attempt; doubled each time up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  connectTimeoutMs?: number;
  /** Injected by tests. */
  connect?: () => Promise<void>;
  sleep?: (ms: number) => Promise<void>;
  log?: Logger;
}

const trySelect = (url: string, connectTimeoutMs: number) => async () => {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  try {
    await c.connect();
    await c.query('SELECT 1');
  } finally {
    await c.end().catch(() => undefined);
  }
};

/**
 * Billing cannot start without Postgres (TypeORM connects at boot and the price book is loaded from it), so a
 * replica started during an outage waits here, with capped backoff and one log line per attempt, instead of
 * crashing into a restart loop. Resolves once Postgres answers `SELECT 1`. (docs/decisions/0016, "limits".)
 */
export async function waitForPostgres(url: string, o: WaitForPostgresOptions = {}): Promise<number> {
  const log = o.log ?? createLogger('billing.boot');
  const connect = o.connect ?? trySelect(url, o.connectTimeoutMs ?? 5_000);
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const max = o.maxDelayMs ?? 10_000;
  let delay = o.initialDelayMs ?? 250;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      await connect();
      if (attempt > 1) log.warn({ attempts: attempt, waitedMs: Date.now() - started }, 'Postgres answers; billing is starting');
      return attempt;
    } catch (err) {
      log.warn({ err: (err as Error)?.message ?? String(err), attempt, retryInMs: delay }, 'waiting for Postgres before billing can start (the ledger and the price book live there)');
      await sleep(delay);
      delay = Math.min(max, delay * 2);
    }
  }
}
