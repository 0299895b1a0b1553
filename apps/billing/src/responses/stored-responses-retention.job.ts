import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createLogger, QueueDepthGauge } from '@tokenflow/observability';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { RetentionSweeper } from '../retention/retention-sweeper';
import { StoredResponsesRepository } from './stored-responses.repository';

/** Rows one DELETE removes: fewer than the request log's, since a stored response may carry megabytes of TOASTed JSON. */
export const DELETE_BATCH = 1_000;

/**
 * Deletes stored responses created more than `RESPONSES_RETENTION_DAYS` ago (decision 0022) every
 * `RESPONSES_SWEEP_MS`, at most 500 statements a run; off at 0 (keep forever).
 */
@Injectable()
export class StoredResponsesRetentionJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly sweeper: RetentionSweeper;

  constructor(
    repo: StoredResponsesRepository,
    @Inject(BILLING_CONFIG) config: Pick<BillingConfig, 'REDIS_URL' | 'TF_NAMESPACE' | 'RESPONSES_RETENTION_DAYS' | 'RESPONSES_SWEEP_MS'>,
    @Optional() queueDepth?: QueueDepthGauge,
  ) {
    const policy = { name: 'responses', days: config.RESPONSES_RETENTION_DAYS, everyMs: config.RESPONSES_SWEEP_MS, batch: DELETE_BATCH, maxBatches: 500, deleteBefore: (before: Date, batch: number) => repo.deleteBefore(before, batch) };
    this.sweeper = new RetentionSweeper(policy, config, createLogger('billing.responses-retention'), queueDepth);
  }

  onApplicationBootstrap(): Promise<void> {
    return this.sweeper.start();
  }

  /** Deletes what is past retention now; returns how many responses went. */
  sweep(now = Date.now()): Promise<number> {
    return this.sweeper.sweep(now);
  }

  onApplicationShutdown(): Promise<void> {
    return this.sweeper.stop();
  }
}
