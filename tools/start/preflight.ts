import { connect as natsConnect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { Client } from 'pg';

export interface Dependency {
  name: 'NATS' | 'Redis' | 'PostgreSQL';
  url: string;
  composeService: string;
  debian: string;
}

/** What to tell a person whose dependency is down: where we looked and the two ways to start it. */
export function howToStart(d: Dependency): string {
  return (
    `${d.name} is not reachable at ${redactUrl(d.url)}.\n` +
    `  Start it with:  docker compose up -d ${d.composeService}\n` +
    `  or (Debian):    ${d.debian}`
  );
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

export async function checkNats(url: string): Promise<void> {
  const nc = await natsConnect({ servers: url, timeout: 2_000, maxReconnectAttempts: 0 });
  const jsOk = await nc
    .request('$JS.API.INFO', undefined, { timeout: 2_000 })
    .then((m) => !('error' in (m.json() as object)))
    .catch(() => false);
  await nc.close();
  if (!jsOk) throw new Error('JetStream is not enabled on this NATS server (start nats-server with -js)');
}

export async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2_000, retryStrategy: () => null });
  redis.on('error', () => undefined); // reported through the rejected connect() below
  try {
    await redis.connect();
    await redis.ping();
  } finally {
    redis.disconnect();
  }
}

/** Connects to the server's maintenance database so a missing target database is not mistaken for a down server. */
export async function checkPostgres(url: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 2_000 });
  await client.connect();
  await client.end();
}

export async function preflight(urls: { nats: string; redis: string; database: string }): Promise<string[]> {
  const deps: [Dependency, () => Promise<void>][] = [
    [
      { name: 'NATS', url: urls.nats, composeService: 'nats', debian: 'apt-get install nats-server && nats-server -js &' },
      () => checkNats(urls.nats),
    ],
    [
      { name: 'Redis', url: urls.redis, composeService: 'redis', debian: 'apt-get install redis-server && redis-server --daemonize yes' },
      () => checkRedis(urls.redis),
    ],
    [
      {
        name: 'PostgreSQL',
        url: urls.database,
        composeService: 'postgres',
        debian: 'apt-get install postgresql && pg_ctlcluster $(ls /etc/postgresql) main start',
      },
      () => checkPostgres(urls.database),
    ],
  ];
  const problems: string[] = [];
  await Promise.all(
    deps.map(async ([dep, check]) => {
      try {
        await check();
      } catch (err) {
        const detail = (err as Error).message?.includes('JetStream') ? `\n  (${(err as Error).message})` : '';
        problems.push(howToStart(dep) + detail);
      }
    }),
  );
  return problems;
}
