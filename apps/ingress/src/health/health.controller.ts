import { Controller, Get, Inject, Res } from '@nestjs/common';
import { NatsBus } from '@tokenflow/messaging';
import type { FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY } from './metrics.tokens';

@Controller()
export class HealthController {
  constructor(
    private readonly bus: NatsBus,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  /** Liveness: the process answers. */
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the NATS connection is up (every request needs it), and not merely reconnecting. */
  @Get('readyz')
  readyz(@Res() reply: FastifyReply): void {
    const ok = this.bus.connected;
    void reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'nats_unavailable' });
  }

  @Get('metrics')
  async metrics(@Res() reply: FastifyReply): Promise<void> {
    void reply.header('content-type', this.registry.contentType).send(await this.registry.metrics());
  }
}
