import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { baseEnvSchema, databaseEnvSchema, parseEnv, redisEnvSchema } from '@tokenflow/config';

const shared = parseEnv(baseEnvSchema.pick({ NATS_URL: true }).extend(redisEnvSchema.shape));

/** The services' default database server, with a database of the tests' own. */
function defaultTestDatabase(): string {
  const url = new URL(databaseEnvSchema.shape.DATABASE_URL.parse(undefined));
  url.pathname = '/tokenflow_test';
  return url.toString();
}

/**
 * The real local services every test talks to (never in-memory fakes). Override with the usual variables; the
 * defaults are the services' own (libs/config).
 */
export const testUrls = {
  nats: shared.NATS_URL,
  redis: shared.REDIS_URL,
  database: process.env.TEST_DATABASE_URL ?? defaultTestDatabase(),
};

/**
 * A fresh NATS namespace per suite: subjects, streams and Redis keys are prefixed with it, so suites (and a
 * running `npm start`) never see each other's messages.
 */
export function testNamespace(suite: string): string {
  return `t_${suite.replace(/[^a-z0-9]/gi, '').slice(0, 12)}_${randomBytes(4).toString('hex')}`;
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls `check` until it returns a truthy value (which is returned) or the time runs out. */
export async function waitFor<T>(
  check: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < until) {
    try {
      const value = await check();
      if (value) return value as T;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`);
}
