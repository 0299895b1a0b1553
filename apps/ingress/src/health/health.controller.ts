import { Controller, Get, Inject, Res } from '@nestjs/common';
import { NatsBus } from '@tokenflow/messaging';
import type { FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';
import { ShutdownDrain } from '../lifecycle/shutdown-drain';
import { METRICS_REGISTRY } from './metrics.tokens';

@Controller()
export class HealthController {
  constructor(
    private readonly bus: NatsBus,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    private readonly drain: ShutdownDrain,
  ) {}

  /** Liveness: the process answers. */
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness: not shutting down, and the NATS connection is up (every request needs it), not merely reconnecting.
   * False from the moment a shutdown starts, while in-flight requests finish.
   */
  @Get('readyz')
  readyz(@Res() reply: FastifyReply): void {
    const status = this.drain.draining ? 'draining' : this.bus.connected ? 'ready' : 'nats_unavailable';
    void reply.status(status === 'ready' ? 200 : 503).send({ status });
  }

  @Get('metrics')
  async metrics(@Res() reply: FastifyReply): Promise<void> {
    void reply.header('content-type', this.registry.contentType).send(await this.registry.metrics());
  }
}
