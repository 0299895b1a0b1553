import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DurableConsumers, Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';
import { RateLimitService } from './rate-limit.service';

/**
 * Replaces each request's TPM reservation (prompt + most possible output) by the tokens it really used, from the
 * usage events billing also settles from. At-least-once delivery is fine: a correction applies once per event.
 * Ratelimit owns its consumer (`DurableConsumers.ratelimitTpm`); billing owns the stream, so until billing has
 * created it this waits in the background: limiting does not depend on it, and events wait in the stream.
 */
@Injectable()
export class TpmCorrector implements OnApplicationBootstrap {
  private readonly log = createLogger('ratelimit.tpm');

  constructor(
    private readonly bus: NatsBus,
    private readonly limits: RateLimitService,
  ) {}

  onApplicationBootstrap(): void {
    this.bus.durable
      .consumeBatches(DurableConsumers.ratelimitTpm, async (batch) => {
        await Promise.all(
          batch.map((e) =>
            e.subject === Subjects.usageRecorded
              ? this.limits.correct(e.payload.accountId, e.payload.requestId, e.payload.eventId, e.payload.promptTokens + e.payload.completionTokens)
              : undefined,
          ),
        );
      })
      .catch((err: unknown) => this.log.error({ err }, 'TPM corrections from usage events could not start'));
  }
}
