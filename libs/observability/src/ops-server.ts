import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { createLogger } from './logger';

/** The dependencies a service's readiness may depend on. */
export type DependencyName = 'nats' | 'redis' | 'postgres';

/**
 * One dependency of the service, as readiness sees it: true when usable right now. Checks must be cheap (a flag, a
 * connection status, or a cached probe: see `cachedProbe`); one that throws or outlasts the server's check timeout
 * counts as down.
 */
export interface ReadinessCheck {
  name: DependencyName;
  check(): boolean | Promise<boolean>;
}

export interface ReadinessReport {
  status: 'ready' | 'not_ready' | 'shutting_down';
  checks: Partial<Record<DependencyName, 'ok' | 'down'>>;
}

export interface OpsServerOptions {
  service: string;
  /** 0: an ephemeral port (announced in the ready log line and IPC message, see `runMain`). */
  port: number;
  /** Default: every interface, so a kubelet and a scraper reach it. */
  host?: string;
  registry: Registry;
  checks: ReadinessCheck[];
  /** The longest one readiness check may take before it counts as down. */
  checkTimeoutMs?: number;
}

const DEFAULT_CHECK_TIMEOUT_MS = 1_000;

/** The URL of the last ops server this process started: what `runMain` announces (one service per process). */
let announcedUrl: string | undefined;

export function announcedOpsUrl(): string | undefined {
  return announcedUrl;
}

/**
 * The operations surface of a service without its own HTTP API: `/healthz` (liveness: the process answers),
 * `/readyz` (200 only while every dependency the service uses is usable and it is not shutting down; 503 with the
 * failing checks otherwise) and `/metrics` (Prometheus text). A plain `node:http` server on its own port: probes and
 * scrapes never queue behind service traffic, and a service with no HTTP framework gets none for this.
 *
 * Its methods carry Nest's lifecycle hook names, so provided as a Nest provider it listens at module init (liveness
 * answers while the rest boots), turns readiness false when the shutdown begins, and closes last.
 */
export class OpsServer {
  private readonly log;
  private server: Server | null = null;
  private shuttingDown = false;
  url: string | null = null;

  constructor(private readonly opts: OpsServerOptions) {
    this.log = createLogger(`${opts.service}.ops`);
  }

  async listen(): Promise<string> {
    if (this.url) return this.url;
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Probes and scrapes are short: an idle keep-alive socket must not hold the shutdown up.
    server.keepAliveTimeout = 5_000;
    this.server = server;
    const { port } = server.address() as AddressInfo;
    const host = !this.opts.host || this.opts.host === '0.0.0.0' || this.opts.host === '::' ? '127.0.0.1' : this.opts.host;
    this.url = `http://${host}:${port}`;
    announcedUrl = this.url;
    this.log.info({ opsUrl: this.url }, 'ops endpoints on /healthz, /readyz, /metrics');
    this.log.debug({ checks: this.opts.checks.map((c) => c.name) }, 'readiness checks');
    return this.url;
  }

  /** From now on readiness is false (the service is shutting down); liveness and metrics still answer. */
  shutdown(): void {
    this.shuttingDown = true;
  }

  async readiness(): Promise<ReadinessReport> {
    const timeoutMs = this.opts.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
    const results = await Promise.all(this.opts.checks.map(async (c) => [c.name, await passes(c, timeoutMs)] as const));
    const checks: ReadinessReport['checks'] = {};
    for (const [name, ok] of results) checks[name] = ok ? 'ok' : 'down';
    const status = this.shuttingDown ? 'shutting_down' : results.every(([, ok]) => ok) ? 'ready' : 'not_ready';
    return { status, checks };
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }

  onModuleInit(): Promise<string> {
    return this.listen();
  }

  onModuleDestroy(): void {
    this.shutdown();
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?', 1)[0];
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
      switch (path) {
        case '/healthz':
          return json(res, 200, { status: 'ok' });
        case '/readyz': {
          const report = await this.readiness();
          return json(res, report.status === 'ready' ? 200 : 503, report);
        }
        case '/metrics': {
          const text = await this.opts.registry.metrics();
          return void res.writeHead(200, { 'content-type': this.opts.registry.contentType }).end(text);
        }
        default:
          return json(res, 404, { status: 'not_found' });
      }
    } catch (err) {
      this.log.warn({ err, path }, 'ops request failed');
      if (!res.headersSent) json(res, 500, { status: 'error' });
      else res.destroy();
    }
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

async function passes(c: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    return (await Promise.race([Promise.resolve().then(() => c.check()), late])) === true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A probe made at most once per `ttlMs` and bounded by `timeoutMs` (e.g. Postgres `SELECT 1`): readiness is asked
 * every few seconds by every kubelet and scraper, and must neither load the database nor wait on a stuck pool.
 * Concurrent callers share the probe in flight; a probe that fails or times out reads false until the next one.
 */
export function cachedProbe(probe: () => Promise<unknown>, opts: { ttlMs?: number; timeoutMs?: number } = {}): () => Promise<boolean> {
  const ttlMs = opts.ttlMs ?? 1_000;
  const timeoutMs = opts.timeoutMs ?? 500;
  let last: { at: number; ok: boolean } | null = null;
  let running: Promise<boolean> | null = null;
  return () => {
    if (last && Date.now() - last.at < ttlMs) return Promise.resolve(last.ok);
    running ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
        const ok = await Promise.race([probe().then(() => true as const), late]);
        last = { at: Date.now(), ok };
      } catch {
        last = { at: Date.now(), ok: false };
      } finally {
        clearTimeout(timer);
        running = null;
      }
      return last.ok;
    })();
    return running;
  };
}

/** Readiness of an ioredis connection: `ready` only (not `connecting`/`reconnecting`/`end`). */
export function redisCheck(redis: { status: string }): ReadinessCheck {
  return { name: 'redis', check: () => redis.status === 'ready' };
}
