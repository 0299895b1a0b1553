import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Headers } from '@tokenflow/contracts';
import { httpMetrics } from '@tokenflow/observability';
import type { Registry } from 'prom-client';
import type { IngressConfig } from './config';
import { METRICS_REGISTRY } from './health/metrics.tokens';
import { IngressModule } from './ingress.module';

export interface IngressApp {
  app: NestFastifyApplication;
  url: string;
  close(): Promise<void>;
}

export async function createIngressApp(config: IngressConfig): Promise<IngressApp> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: () => `req_${randomBytes(12).toString('hex')}`,
    requestIdHeader: false,
    return503OnClosing: true,
    keepAliveTimeout: 65_000,
  });
  const app = await NestFactory.create<NestFastifyApplication>(IngressModule.forRoot(config), adapter, {
    logger: ['error', 'warn'],
  });
  const fastify = app.getHttpAdapter().getInstance();
  const metrics = httpMetrics(app.get<Registry>(METRICS_REGISTRY));

  fastify.addHook('onRequest', async (req, reply) => {
    void reply.header(Headers.requestId, req.id);
  });
  fastify.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, status: reply.statusCode });
    metrics.duration.observe({ route, status: reply.statusCode }, reply.elapsedTime / 1000);
  });

  app.enableShutdownHooks();
  await app.listen(config.PORT, config.HOST);
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
  return { app, url: `http://${host}:${port}`, close: () => app.close() };
}
