import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Subjects, USAGE_STREAM } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { RateLimitService } from './rate-limit.service';

export const TPM_DURABLE = 'ratelimit-tpm';

/**
 * Replaces each request's TPM reservation (prompt + most possible output) by the tokens it really used, from the
 * usage events billing also settles from. At-least-once delivery is fine: a correction applies once per event.
 */
@Injectable()
export class TpmCorrector implements OnApplicationBootstrap {
  constructor(
    private readonly bus: NatsBus,
    private readonly limits: RateLimitService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.durable.ensureStream({ name: USAGE_STREAM, subjects: [Subjects.usageRecorded] });
    await this.bus.durable.consumeBatches(
      { stream: USAGE_STREAM, durable: TPM_DURABLE, subject: Subjects.usageRecorded, maxBatch: 500, ackWaitMs: 10_000 },
      async (batch) => {
        await Promise.all(
          batch.map((e) =>
            e.subject === Subjects.usageRecorded
              ? this.limits.correct(e.payload.accountId, e.payload.requestId, e.payload.eventId, e.payload.promptTokens + e.payload.completionTokens)
              : undefined,
          ),
        );
      },
    );
  }
}
