import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@tokenflow/testing';
import { sseData } from './streams';

/**
 * A TCP proxy in front of a dependency (Postgres), so a fault suite can take it away and give it back without
 * touching the machine's shared server: `down()` closes every open connection and refuses new ones, as a stopped
 * server does; `up()` listens again on the same port.
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(await freePort(), target);
    await proxy.up();
    return proxy;
  }

  get isUp(): boolean {
    return this.server !== null;
  }

  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * A NATS server with JetStream of the suite's own (the machine's nats-server binary on a free port, its store in a
 * temporary folder), so a fault suite can restart NATS without disturbing anything else. The store survives a
 * restart, as a real deployment's volume does.
 */
export class PrivateNats {
  private child: ChildProcess | null = null;
  private readonly storeDir = mkdtempSync(join(tmpdir(), 'tf-nats-'));

  private constructor(readonly port: number) {}

  static async start(binary = '/usr/sbin/nats-server'): Promise<PrivateNats> {
    const nats = new PrivateNats(await freePort());
    await nats.run(binary);
    return nats;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async restart(binary = '/usr/sbin/nats-server', downMs = 0): Promise<void> {
    await this.stop();
    if (downMs) await new Promise((r) => setTimeout(r, downMs));
    await this.run(binary);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.storeDir, { recursive: true, force: true });
  }

  private async run(binary: string): Promise<void> {
    const child = spawn(binary, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir], { stdio: 'ignore' });
    this.child = child;
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      if (child.exitCode !== null) throw new Error(`nats-server exited with code ${child.exitCode}`);
      if (await accepts(this.port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`nats-server did not listen on ${this.port} within 10 s`);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** What one client saw of one request. */
export interface ClientRecord {
  requestId: string | null;
  stream: boolean;
  status: number;
  /** A successful answer: 200 and, for a stream, content then `[DONE]` with no error event. */
  ok: boolean;
  /** A stream that ended with an error event, or an error body. */
  error: string | null;
  /** A 200 stream that ended without `[DONE]` and without an error event: what must never happen. */
  truncated: boolean;
  /** From sending to the answer's end (or the error). */
  ms: number;
}

/**
 * Steady load for a fault suite: `workers` loops sending streaming and non-streaming chat requests, each recorded
 * as its client saw it, until `stop()`.
 */
export class SteadyLoad {
  readonly records: ClientRecord[] = [];
  private running = true;
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly key: string,
    private readonly body: (i: number) => Record<string, unknown>,
    workers = 4,
    private readonly pauseMs = 50,
  ) {
    for (let w = 0; w < workers; w++) this.loops.push(this.loop(w));
  }

  async stop(): Promise<ClientRecord[]> {
    this.running = false;
    await Promise.all(this.loops);
    return this.records;
  }

  private async loop(w: number): Promise<void> {
    for (let i = 0; this.running; i++) {
      const stream = (i + w) % 2 === 0;
      this.records.push(await send(this.baseUrl, this.key, { ...this.body(i), stream }));
      await new Promise((r) => setTimeout(r, this.pauseMs));
    }
  }
}

/** One chat request as a client sees it (a stream read to its end). */
export async function send(baseUrl: string, key: string, body: Record<string, unknown>): Promise<ClientRecord> {
  const started = Date.now();
  return { ...(await exchange(baseUrl, key, body)), ms: Date.now() - started };
}

async function exchange(baseUrl: string, key: string, body: Record<string, unknown>): Promise<Omit<ClientRecord, 'ms'>> {
  const stream = body.stream === true;
  try {
    const res = await fetch(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    const requestId = res.headers.get('x-request-id');
    const text = await res.text();
    if (res.status !== 200) return { requestId, stream, status: res.status, ok: false, error: errorOf(text), truncated: false };
    if (!stream) {
      const json = JSON.parse(text) as { choices?: { message?: { content?: string } }[] };
      const content = json.choices?.[0]?.message?.content ?? '';
      return { requestId, stream, status: 200, ok: content.length > 0, error: content ? null : 'empty body', truncated: false };
    }
    const events = sseData(text);
    const done = events.at(-1) === '[DONE]';
    const errorEvent = events.find((e) => e !== '[DONE]' && (JSON.parse(e) as { error?: unknown }).error !== undefined);
    if (errorEvent) return { requestId, stream, status: 200, ok: false, error: errorOf(errorEvent), truncated: false };
    return { requestId, stream, status: 200, ok: done, error: null, truncated: !done };
  } catch (err) {
    return { requestId: null, stream, status: 0, ok: false, error: (err as Error).message, truncated: false };
  }
}

function errorOf(text: string): string {
  try {
    return (JSON.parse(text) as { error?: { code?: string; message?: string } }).error?.code ?? text.slice(0, 120);
  } catch {
    return text.slice(0, 120);
  }
}
