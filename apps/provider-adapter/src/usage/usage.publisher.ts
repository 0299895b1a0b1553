import { Injectable } from '@nestjs/common';
import { type InvokeRequest, Subjects, type TokenUsage, type UsageRecordedEvent } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';

const RETRY_DELAYS_MS = [100, 250, 500, 1_000, 2_000, 4_000, 8_000];

/**
 * Publishes usage to JetStream. The event id (`<requestId>:<attempt>`) is the JetStream msgId, so a retried
 * publish is dropped by the server, and billing's idempotency key catches anything past the dedupe window.
 * The stream is billing's (`Streams.usage`): this only publishes. Billing creates it before it answers anything,
 * so a request that got this far had its stream; a publish that finds none still retries like any other failure.
 */
@Injectable()
export class UsagePublisher {
  private readonly log = createLogger('provider-adapter.usage');

  constructor(private readonly bus: NatsBus) {}

  async publish(
    req: InvokeRequest,
    usage: TokenUsage,
    source: 'upstream' | 'estimated',
    outcome: UsageRecordedEvent['outcome'],
    timing: { ttftMs: number | null; durationMs: number },
  ): Promise<void> {
    const eventId = `${req.requestId}:${req.attemptNo}`;
    const event: UsageRecordedEvent = {
      eventId,
      requestId: req.requestId,
      attemptNo: req.attemptNo,
      accountId: req.accountId,
      keyId: req.keyId,
      model: req.model,
      channelId: req.attempt.channelId,
      provider: req.attempt.provider,
      upstreamModel: req.attempt.upstreamModel,
      promptTokens: usage.prompt_tokens ?? 0,
      completionTokens: usage.completion_tokens ?? 0,
      cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
      reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
      usageSource: source,
      outcome,
      ...(req.category ? { category: req.category } : {}),
      inputNanoPerToken: req.price.inputNanoPerToken,
      outputNanoPerToken: req.price.outputNanoPerToken,
      cachedInputNanoPerToken: req.price.cachedInputNanoPerToken,
      ttftMs: timing.ttftMs,
      durationMs: timing.durationMs,
      occurredAt: new Date().toISOString(),
    };
    for (let i = 0; ; i++) {
      try {
        await this.bus.publishDurable(Subjects.usageRecorded, event, eventId);
        return;
      } catch (err) {
        if (i >= RETRY_DELAYS_MS.length) {
          // Last resort: the line carries everything needed to replay the event by hand.
          this.log.error({ err, event }, 'usage event could not be published');
          return;
        }
        await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[i]));
      }
    }
  }
}
