import 'reflect-metadata';
import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { LogLevel } from '@tokenflow/config';
import { setLogLevel } from '@tokenflow/observability';

/**
 * Services without an HTTP surface (router, billing, ratelimit, provider-adapter) run as a Nest application
 * context: DI and lifecycle hooks, with NATS as their only interface. The service's validated LOG_LEVEL applies to
 * its loggers before any provider is created.
 */
export async function createServiceContext(module: DynamicModule, config: { LOG_LEVEL: LogLevel }): Promise<INestApplicationContext> {
  setLogLevel(config.LOG_LEVEL);
  const app = await NestFactory.createApplicationContext(module, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.init();
  return app;
}
