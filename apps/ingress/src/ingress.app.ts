import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Headers, TfError } from '@tokenflow/contracts';
import { httpMetrics, setLogLevel } from '@tokenflow/observability';
import type { Registry } from 'prom-client';
import { authHook } from './auth/auth.hook';
import { AuthService } from './auth/auth.service';
import type { IngressConfig } from './config';
import { METRICS_REGISTRY } from './health/metrics.tokens';
import { decodeContentEncoding } from './http/content-encoding';
import { clientErrorHandler, expectationFailed, frameworkErrors } from './http/edge-errors';
import { sendError } from './http/error-response';
import { registerJsonBodyParser } from './http/json-body.parser';
import { JsonWorkers } from './http/json-workers';
import { IngressModule } from './ingress.module';
import { ShutdownDrain } from './lifecycle/shutdown-drain';
import { RequestEnd } from './trail/request-end';
import { RequestSpans } from './trail/request-span.listener';
import { RequestTrail } from './trail/request-trail';

export interface IngressApp {
  app: NestFastifyApplication;
  url: string;
  /**
   * Graceful: readiness false and new requests refused at once, in-flight ones finish (up to SHUTDOWN_GRACE_MS, then
   * they end with an error), and only then the HTTP server closes and NATS drains.
   */
  close(): Promise<void>;
}

/** Answered while shutting down, so probes and scrapers see the state; everything else is refused. */
const ANSWERED_WHILE_DRAINING = new Set(['/healthz', '/readyz', '/metrics']);

/** Headers may take this long to arrive (slowloris); the whole request gets REQUEST_BODY_TIMEOUT_MS. */
const HEADERS_TIMEOUT_MS = 10_000;

export async function createIngressApp(config: IngressConfig): Promise<IngressApp> {
  setLogLevel(config.LOG_LEVEL);
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: () => `req_${randomBytes(12).toString('hex')}`,
    requestIdHeader: false,
    // Refusals while shutting down are ours (OpenAI format, see the drain hook), from the moment the drain starts.
    return503OnClosing: false,
    keepAliveTimeout: 65_000,
    requestTimeout: config.REQUEST_BODY_TIMEOUT_MS,
    // Node checks request and header timeouts on this tick (30 s by default, late by up to as much).
    // A request without Host is answered by the routes like any other (Node would answer a bare 400).
    http: { connectionsCheckingInterval: 1_000, requireHostHeader: false },
    // Model ids may be long (`org/model`); past this the router answers 414.
    routerOptions: { maxParamLength: 512 },
    frameworkErrors,
    clientErrorHandler,
  });
  const fastify = adapter.getInstance();
  // A client that half-closes its side after sending (shutdown(SHUT_WR)) still gets its answer; one that went
  // away for good is noticed at the next write.
  (fastify.server as typeof fastify.server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  fastify.server.headersTimeout = Math.min(HEADERS_TIMEOUT_MS, config.REQUEST_BODY_TIMEOUT_MS);
  fastify.server.on('checkExpectation', expectationFailed);
  fastify.decorateRequest('principal', null);
  fastify.decorateRequest('trail', null as unknown as RequestTrail);
  const app = await NestFactory.create<NestFastifyApplication>(IngressModule.forRoot(config), adapter, {
    logger: ['error', 'warn'],
    bodyParser: false,
  });
  registerJsonBodyParser(fastify, config.BODY_LIMIT_BYTES, app.get(JsonWorkers));
  const metrics = httpMetrics(app.get<Registry>(METRICS_REGISTRY));

  const requestEnd = app.get(RequestEnd);
  fastify.addHook('onRequest', async (req, reply) => {
    req.trail = new RequestTrail();
    void reply.header(Headers.requestId, req.id);
    // Fastify's onResponse fires on `finish` only: a client that leaves before the answer is complete (a stopped
    // stream) would be missing from the request log, the metrics and the trace. `close` after `finish` is the normal end.
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) requestEnd.finish(req, reply, true);
    });
  });
  // Tracing on (OTEL_* variables): the request's root span, before the drain and auth hooks so refusals are traced.
  const requestSpans = app.get(RequestSpans);
  if (requestSpans.enabled) fastify.addHook('onRequest', requestSpans.onRequest);
  const drain = app.get(ShutdownDrain);
  fastify.addHook('onRequest', async (req, reply) => {
    if (!drain.draining) return drain.track(reply.raw);
    if (ANSWERED_WHILE_DRAINING.has(req.url.split('?', 1)[0])) return;
    void reply.header('connection', 'close');
    sendError(reply, new TfError('service_unavailable', 'The server is shutting down. Please retry.', { retryAfterMs: 1_000 }));
    return reply;
  });
  fastify.addHook('onRequest', authHook(app.get(AuthService)));
  fastify.addHook('preParsing', decodeContentEncoding);
  // Fastify closes the connection after any body-parser error, since unread body bytes would desynchronise it; a
  // body read in full (invalid JSON, a refused structure) leaves nothing behind, so pipelined requests go on.
  fastify.addHook('onSend', async (req, reply, payload) => {
    if (reply.getHeader('connection') === 'close' && req.raw.complete) reply.removeHeader('connection');
    return payload;
  });
  fastify.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, status: reply.statusCode });
    metrics.duration.observe({ route, status: reply.statusCode }, reply.elapsedTime / 1000);
    requestEnd.finish(req, reply);
  });

  // No Nest shutdown hooks: its sequence drains NATS before the HTTP server closes. `close` orders it (main.ts calls
  // it on SIGTERM/SIGINT).
  await app.listen(config.PORT, config.HOST);
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST;
  const close = async () => {
    await drain.drain(fastify.server, config.SHUTDOWN_GRACE_MS);
    await app.close();
  };
  return { app, url: `http://${host}:${port}`, close };
}
