import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type Logger, setLogLevel } from '@tokenflow/observability';
import type { AdapterConfig } from './config';
import { AdapterModule } from './adapter.module';
import { noteShutdownSignal } from './shutdown/adapter-shutdown';

/**
 * The adapter as a Nest application context, like `createServiceContext` but without Nest's signal hooks: Nest
 * re-raises SIGTERM after closing, so the process would die by the signal; `exitOnSignals` closes it and exits 0.
 */
export async function createAdapterApp(config: AdapterConfig): Promise<INestApplicationContext> {
  setLogLevel(config.LOG_LEVEL);
  const app = await NestFactory.createApplicationContext(AdapterModule.forRoot(config), { logger: ['error', 'warn'] });
  await app.init();
  return app;
}

/**
 * SIGTERM / SIGINT: the graceful shutdown (see `AdapterShutdown`), then exit 0; exit 1 if it fails or outlasts
 * `hardLimitMs` (a supervisor's own kill usually comes first).
 */
export function exitOnSignals(app: INestApplicationContext, log: Logger, hardLimitMs: number): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    noteShutdownSignal();
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error({ hardLimitMs }, 'shutdown did not finish in time');
      process.exit(1);
    }, hardLimitMs).unref();
    app.close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.fatal({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
