import { Inject, Injectable } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../health/metrics.tokens';
import type { StopReason } from './request-saga';

/** Answers ingress ended early for its own reasons: lost frames, a client too slow for the bounded relay, shutdown. */
@Injectable()
export class StreamMetrics {
  private readonly gaps: Counter;
  private readonly cuts: Counter<'reason'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.gaps = new Counter({
      name: 'tokenflow_stream_gaps_total',
      help: 'Upstream answers whose frames arrived with a gap in their sequence (lost on NATS); each ended with an error',
      registers: [registry],
    });
    this.cuts = new Counter({
      name: 'tokenflow_streams_cut_total',
      help: 'Answers ingress ended with an error and whose upstream attempt it cancelled, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    for (const reason of ['stream_gap', 'slow_client', 'shutdown'] as const) this.cuts.inc({ reason }, 0);
  }

  cut(reason: StopReason): void {
    if (reason === 'stream_gap') this.gaps.inc();
    this.cuts.inc({ reason });
  }
}
