import { Injectable, Optional } from '@nestjs/common';
import { type InvokeRequest, TfError, type UsageRecordedEvent, type WireStreamFrame } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';
import { TokenCounter } from '@tokenflow/openai';
import { failedOutcome, okOutcome } from '../health/attempt-outcome';
import { HealthRecorder } from '../health/health.recorder';
import { UpstreamMetrics } from '../metrics/upstream-metrics';
import { capability, providerFor } from '../providers/provider.registry';
import { readLimited } from '../upstream/read-limited';
import { mapTransportError, neverReachedUpstream, UpstreamClient } from '../upstream/upstream-client';
import { UsagePublisher } from '../usage/usage.publisher';
import { abortCause, healthFailure } from './attempt-failure';
import { CallerGoneError, CancellationRegistry, ShutdownError } from './cancellation.registry';
import { sliceEmbeddings } from './embeddings-slices';
import { KeyHealthReporter } from './key-health.reporter';
import { LargeBodies } from './large-bodies';
import { relayStream } from './stream-relay';
import { StreamTally } from './stream-tally';
import { StreamWatchdog } from './stream-watchdog';
import { UpstreamKeysStore } from './upstream-keys.store';
import { UpstreamQuota } from './upstream-quota';

/** Embeddings of many inputs are large (a 3,072-dimension vector is ~60 KB of JSON). */
const MAX_JSON_RESPONSE = 64 * 1024 * 1024;

const ZERO_USAGE = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

type UnsequencedFrame = { [K in WireStreamFrame['type']]: Omit<Extract<WireStreamFrame, { type: K }>, 'seq'> }[WireStreamFrame['type']];

/**
 * Runs one upstream attempt and streams normalised chunks to the caller's inbox as they arrive (never
 * buffered). Exactly one terminal frame (`end` or `error`) closes every stream, and every attempt that reached
 * the upstream and produced output publishes one usage event, even when cancelled or cut short.
 */
@Injectable()
export class InvokeService {
  private readonly log = createLogger('provider-adapter.invoke');
  /** Attempts running on this replica, through their usage publish: shutdown waits for them. */
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly bus: NatsBus,
    private readonly upstream: UpstreamClient,
    private readonly cancellations: CancellationRegistry,
    private readonly usage: UsagePublisher,
    private readonly quota: UpstreamQuota,
    private readonly keyHealth: KeyHealthReporter,
    private readonly counter: TokenCounter,
    private readonly keys: UpstreamKeysStore,
    private readonly large: LargeBodies,
    private readonly health: HealthRecorder,
    @Optional() private readonly upstreamMetrics?: UpstreamMetrics,
  ) {}

  /**
   * Fetches a body too large for the invoke message (ingress serves it in parts), then runs the attempt until
   * `deadline` (this host's clock: the caller's remaining budget as the invoke arrived).
   */
  run(wire: InvokeRequest, deadline: number): Promise<void> {
    const running = this.runAttempt(wire, deadline);
    this.running.add(running);
    const forget = () => void this.running.delete(running);
    running.then(forget, forget);
    return running;
  }

  get inFlight(): number {
    return this.running.size;
  }

  /**
   * Shutdown, once no new invoke can arrive: lets the running attempts finish for `graceMs`, then ends the rest
   * (`ShutdownError`: an error frame to the caller, usage for what was produced) and waits up to `settleMs` for them
   * to publish it. Returns how many were ended early.
   */
  async finish(graceMs: number, settleMs: number): Promise<number> {
    if (this.running.size === 0) return 0;
    this.log.info({ attempts: this.running.size, graceMs }, 'shutdown: waiting for attempts in flight');
    if (await settledWithin([...this.running], graceMs)) return 0;
    const ended = this.cancellations.abortAll(new ShutdownError());
    this.log.warn({ attempts: ended }, 'shutdown: grace period over, ending the attempts still running');
    if (!(await settledWithin([...this.running], settleMs))) this.log.error({ attempts: this.running.size }, 'shutdown: attempts still running after being ended');
    return ended;
  }

  private async runAttempt(wire: InvokeRequest, deadline: number): Promise<void> {
    if (wire.body) return this.attempt({ ...wire, body: wire.body }, deadline);
    let body: Record<string, unknown>;
    try {
      body = await this.large.parse(await this.bus.fetchBlob(wire.bodyRef!, Math.max(1, Math.min(10_000, deadline - Date.now()))));
    } catch (err) {
      // Nothing was sent upstream: another replica (or channel) may well succeed.
      this.bus.sendFrame(wire.inbox, { type: 'error', seq: 0, error: { ...TfError.from(err).toWire(), retryable: true } });
      return;
    }
    return this.attempt({ ...wire, body }, deadline, true);
  }

  private async attempt(req: InvokeRequest & { body: Record<string, unknown> }, deadline: number, large = false): Promise<void> {
    const started = Date.now();
    const ctrl = this.cancellations.register(req.requestId);
    const watchdog = new StreamWatchdog(req.attempt.timeouts);
    const signal = AbortSignal.any([ctrl.signal, watchdog.signal, AbortSignal.timeout(Math.max(1, deadline - started))]);
    const tally = new StreamTally();
    let seq = 0;
    // Every chunk has its own sequence number, batched or not: a batch takes as many as it carries.
    const send = (frame: UnsequencedFrame) => {
      try {
        this.bus.sendFrame(req.inbox, { ...frame, seq } as WireStreamFrame);
      } catch (err) {
        // The connection is closed: the caller cannot hear this attempt any more. It ends here, and still bills
        // what it produced (the usage goes to the spool), instead of throwing out of its own error handling.
        if (!ctrl.signal.aborted) ctrl.abort(new CallerGoneError());
        if (frame.type === 'error' || frame.type === 'end') this.log.warn({ err: (err as Error)?.message, requestId: req.requestId }, 'terminal frame not sent');
        else throw ctrl.signal.reason;
      }
      seq += frame.type === 'chunks' ? frame.data.length : 1;
    };
    let outcome: UsageRecordedEvent['outcome'] = 'ok';
    let reachedUpstream = false;
    let quotaTaken = false;
    // Whether the upstream may have received the request (and counted it against the key's quota).
    let maybeSent = false;
    let final: Awaited<ReturnType<StreamTally['usage']>> | null = null;
    // For the channel's health: whether the upstream was asked at all, when, and how the attempt failed.
    let calledUpstream = false;
    let sentAt = 0;
    let failure: Parameters<typeof failedOutcome>[0] | null = null;
    const healthTarget = { channelId: req.attempt.channelId, keyRef: req.attempt.keyRef, model: req.model };
    this.health.started(healthTarget);
    /** The attempt's usage publish, started once its usage is journaled (see `journal`). */
    let published: Promise<void> | null = null;
    let journaled = false;
    /**
     * Settles the upstream quota and journals the usage (the spool write is synchronous inside `publish`), before the
     * terminal frame leaves: a crash can then no longer lose the usage of an answer the client saw end.
     */
    const journal = async (): Promise<void> => {
      journaled = true;
      // A cancel ends the request (only ingress cancels, and only when it gives up), so even an attempt with no
      // output publishes: settling it, at zero cost, is what releases the request's hold.
      const billed = (reachedUpstream && (outcome === 'ok' || tally.chunks > 0)) || outcome === 'cancelled';
      // Nothing generated (cancelled before the first token): nothing billed.
      const { usage, source } = !billed || tally.chunks === 0 ? { usage: ZERO_USAGE, source: 'estimated' as const } : (final ?? (await tally.usage(req.size.promptTokens, this.counter)));
      if (quotaTaken) this.quota.settle(req, reachedUpstream, maybeSent, usage);
      if (!billed) return;
      published = this.usage.publish(req, usage, source, outcome, {
        ttftMs: tally.firstChunkAt === null ? null : tally.firstChunkAt - started,
        durationMs: Date.now() - started,
      });
    };

    try {
      const provider = providerFor(req.attempt.provider);
      const api = capability(provider, req.endpoint ?? 'chat', req.attempt.upstreamModel);
      // The plan names the key by reference only; the secret exists in this process alone, for this call.
      const attempt = await this.keys.resolve(req.attempt, deadline);
      // Built before anything is taken: a provider rule may refuse the request outright (e.g. n > 1).
      const upstreamRequest = large ? await this.large.buildRequest(attempt, req.endpoint ?? 'chat', req.body) : api.buildRequest(attempt, req.body);
      quotaTaken = await this.quota.acquire(req);
      watchdog.awaitingFirstByte();
      maybeSent = true;
      calledUpstream = true;
      sentAt = Date.now();
      const res = await this.upstream.send(upstreamRequest, req.attempt.timeouts, signal, { provider: req.attempt.provider, model: req.attempt.upstreamModel, endpoint: req.endpoint ?? 'chat' });
      reachedUpstream = true;
      watchdog.sawData();
      if (res.status < 200 || res.status >= 300) {
        const text = await readLimited(res.body, 64 * 1024);
        const error = provider.mapError(res.status, text, res.retryAfter);
        this.keyHealth.report(req.attempt, error);
        throw error;
      }
      if ('parseResponse' in api) {
        const { response, usage } = api.parseResponse(await readLimited(res.body, MAX_JSON_RESPONSE));
        tally.upstreamUsage = usage;
        tally.sawFinish = true;
        // Many large vectors exceed one NATS message: the list travels in slices that ingress joins.
        for (const part of sliceEmbeddings({ ...response, model: req.model })) {
          tally.observe(part);
          send({ type: 'chunk', data: part });
        }
      } else {
        await relayStream(res.body, api.createDecoder(), {
          watchdog,
          tally,
          emit: (chunks) =>
            chunks.length === 1
              ? send({ type: 'chunk', data: { ...chunks[0], model: req.model } })
              : send({ type: 'chunks', data: chunks.map((chunk) => ({ ...chunk, model: req.model })) }),
        });
      }
      final = await tally.usage(req.size.promptTokens, this.counter);
      await journal();
      send({ type: 'end', usage: final.usage, usageSource: final.source });
    } catch (err) {
      if (!reachedUpstream && neverReachedUpstream(err)) maybeSent = false;
      const error = watchdog.fired ?? this.classify(err, signal, ctrl.signal);
      failure = healthFailure(error, { watchdogFired: watchdog.fired !== null, signal, cancel: ctrl.signal });
      outcome = error === 'cancelled' ? 'cancelled' : 'error';
      // Journaled before the error frame and before the cleanup below: a partial answer's usage is on disk first.
      if (!journaled) await journal();
      if (error !== 'cancelled') {
        send({ type: 'error', error: { ...error.toWire(), retryable: error.retryable && tally.chunks === 0 } });
      }
    } finally {
      watchdog.stop();
      this.cancellations.release(req.requestId);
      // Paired with `started` on every path; an end neither ok nor failed (nothing thrown got classified) is neutral.
      this.health.ended(
        healthTarget,
        failure === null && final
          ? okOutcome({ sentAt, firstChunkAt: tally.firstChunkAt, endedAt: Date.now(), outputTokens: final.usage.completion_tokens, ttft: req.endpoint !== 'embeddings' })
          : failedOutcome(failure ?? 'cancelled', calledUpstream),
      );
      this.upstreamMetrics?.attemptEnded(req.attempt.provider, req.model, sentAt, failure === null && !final ? 'cancelled' : failure, reachedUpstream);
    }
    // Resolves once the usage is acknowledged by JetStream or fsynced in the spool: shutdown waits for that.
    await published;
  }

  private classify(err: unknown, signal: AbortSignal, cancel: AbortSignal): TfError | 'cancelled' {
    const aborted = abortCause(signal, cancel);
    if (aborted) return aborted;
    const mapped = mapTransportError(err);
    // The code, not the message: undici's messages name the upstream host and address.
    if (!(err instanceof TfError)) this.log.warn({ err: (err as Error)?.name, code: transportCode(err) }, 'upstream transport error');
    return mapped;
  }
}

/** Whether every promise settled within `ms`. */
async function settledWithin(promises: Promise<unknown>[], ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const all = Promise.allSettled(promises).then(() => true);
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([all, late]);
  } finally {
    clearTimeout(timer);
  }
}

function transportCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

