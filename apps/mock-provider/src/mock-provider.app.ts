import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { MOCK_DEFAULTS } from './mock-provider.config';
import { MockProviderModule } from './mock-provider.module';

export interface MockProviderAppOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default `MOCK_HOST`'s. */
  host?: string;
  /** Time to first byte in ms (the `ttft=` directive overrides it); default `MOCK_TTFT_MS`'s. */
  ttftMs?: number;
  /** Tokens per second, 0 = as fast as possible (the `tps=` directive overrides it); default `MOCK_TPS`'s. */
  tps?: number;
  /** Seed of the `fail-rate=` draws; default `MOCK_SEED`'s. */
  seed?: number;
}

export interface MockProviderApp {
  app: INestApplication;
  /** e.g. `http://127.0.0.1:4010` (no trailing slash, no `/v1`). */
  url: string;
  close(): Promise<void>;
}

/** Above the gateway's own body limit, so what the gateway admits always reaches the mock. */
const BODY_LIMIT_BYTES = 20 * 1024 * 1024;

/** Starts the mock provider and resolves once it listens; used by `main.ts` and in-process by other apps' tests. */
export async function createMockProviderApp(opts: MockProviderAppOptions): Promise<MockProviderApp> {
  const host = opts.host ?? MOCK_DEFAULTS.MOCK_HOST;
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // `fail=timeout` holds requests open until the client leaves; closing must not wait for such clients.
    forceCloseConnections: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    MockProviderModule.forRoot({
      ttftMs: opts.ttftMs ?? MOCK_DEFAULTS.MOCK_TTFT_MS,
      tps: opts.tps ?? MOCK_DEFAULTS.MOCK_TPS,
      seed: opts.seed ?? MOCK_DEFAULTS.MOCK_SEED,
    }),
    adapter,
    { logger: ['error'] },
  );
  await app.listen(opts.port, host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://${urlHost(host)}:${port}`, close: () => app.close() };
}

/** A wildcard bind address is reachable on loopback; IPv6 literals need brackets in a URL. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
