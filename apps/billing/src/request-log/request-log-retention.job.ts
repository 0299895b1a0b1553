import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createLogger, QueueDepthGauge } from '@tokenflow/observability';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { RetentionSweeper } from '../retention/retention-sweeper';
import { RequestLogRepository } from './request-log.repository';

/**
 * Deletes request log entries older than `REQUEST_LOG_RETENTION_DAYS` (by their request's time; decision 0020) every
 * `REQUEST_LOG_SWEEP_MS`, 5,000 rows per statement, at most 200 statements a run; off at 0 (keep forever).
 */
@Injectable()
export class RequestLogRetentionJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly sweeper: RetentionSweeper;

  constructor(
    repo: RequestLogRepository,
    @Inject(BILLING_CONFIG) config: Pick<BillingConfig, 'REDIS_URL' | 'TF_NAMESPACE' | 'REQUEST_LOG_RETENTION_DAYS' | 'REQUEST_LOG_SWEEP_MS'>,
    @Optional() queueDepth?: QueueDepthGauge,
  ) {
    const policy = { name: 'request-log', days: config.REQUEST_LOG_RETENTION_DAYS, everyMs: config.REQUEST_LOG_SWEEP_MS, batch: 5_000, maxBatches: 200, deleteBefore: (before: Date, batch: number) => repo.deleteBefore(before, batch) };
    this.sweeper = new RetentionSweeper(policy, config, createLogger('billing.request-log-retention'), queueDepth);
  }

  onApplicationBootstrap(): Promise<void> {
    return this.sweeper.start();
  }

  /** Deletes what is past retention now; returns how many entries went. */
  sweep(now = Date.now()): Promise<number> {
    return this.sweeper.sweep(now);
  }

  onApplicationShutdown(): Promise<void> {
    return this.sweeper.stop();
  }
}
