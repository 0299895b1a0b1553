import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ReadyMessage } from '@tokenflow/observability';

export const APPS = ['mock-provider', 'router', 'billing', 'ratelimit', 'provider-adapter', 'ingress'] as const;
export type AppName = (typeof APPS)[number];

export interface ProcessGroupOptions {
  /** Folder holding dist/ (the repository root). */
  root: string;
  env: NodeJS.ProcessEnv;
  /** Where each app's output goes; default: prefixed lines on this process's stdout. */
  output?: (app: AppName, line: string) => void;
}

/** The six services as child processes of one command: started together, stopped together. */
export class ProcessGroup {
  private readonly children = new Map<AppName, ChildProcess>();
  private stopping = false;
  private readonly readyWaiters = new Map<AppName, (ready: ReadyMessage) => void>();

  constructor(private readonly opts: ProcessGroupOptions) {}

  start(app: AppName, extraEnv: NodeJS.ProcessEnv = {}): ChildProcess {
    const entry = join(this.opts.root, 'dist', 'apps', app, 'src', 'main.js');
    const child = spawn(process.execPath, ['--enable-source-maps', entry], {
      env: { ...this.opts.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    // Services announce readiness over IPC (runMain), whatever their LOG_LEVEL.
    child.on('message', (msg: Partial<ReadyMessage>) => {
      if (msg?.type === 'tokenflow:ready') this.readyWaiters.get(app)?.(msg as ReadyMessage);
    });
    const out = this.opts.output ?? ((a, line) => process.stdout.write(`[${a.padEnd(16)}] ${line}\n`));
    let buffered = '';
    const onData = (buf: Buffer) => {
      buffered += buf.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line) out(app, line);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code, signal) => {
      if (this.children.get(app) === child) this.children.delete(app);
      if (!this.stopping && code !== 0) out(app, `exited (${signal ?? `code ${code}`})`);
    });
    this.children.set(app, child);
    return child;
  }

  /**
   * Starts `app` and resolves with its ready message (its URL, for one serving HTTP) when it reports ready (rejects
   * if it exits first or takes too long).
   */
  startAndWait(app: AppName, extraEnv: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<ReadyMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${app} was not ready after ${timeoutMs} ms`)), timeoutMs);
      this.readyWaiters.set(app, (ready) => {
        clearTimeout(timer);
        this.readyWaiters.delete(app);
        resolve(ready);
      });
      const child = this.start(app, extraEnv);
      child.once('exit', (code) => {
        if (!this.readyWaiters.has(app)) return;
        clearTimeout(timer);
        this.readyWaiters.delete(app);
        reject(new Error(`${app} exited with code ${code} before it was ready`));
      });
    });
  }

  running(app: AppName): boolean {
    return this.children.has(app);
  }

  /** SIGTERM (graceful: Nest shutdown hooks drain NATS), SIGKILL after `graceMs`. */
  async stop(app: AppName, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<void> {
    const child = this.children.get(app);
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    this.children.delete(app);
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    // Ingress first, so no new work arrives while the others drain.
    await this.stop('ingress');
    await Promise.all([...this.children.keys()].map((app) => this.stop(app)));
  }
}

/** Polls `url` until it answers 2xx or `timeoutMs` passes. */
export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url} did not become ready in ${timeoutMs} ms (${last})`);
}
