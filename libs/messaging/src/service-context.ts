import 'reflect-metadata';
import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

/**
 * Services without an HTTP surface (router, billing, ratelimit, provider-adapter) run as a Nest application
 * context: DI and lifecycle hooks, with NATS as their only interface.
 */
export async function createServiceContext(module: DynamicModule): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(module, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.init();
  return app;
}
