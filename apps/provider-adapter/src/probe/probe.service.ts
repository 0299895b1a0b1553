import { Injectable } from '@nestjs/common';
import { type ProbeReply, type ProbeRequest, TfError, type WireError } from '@tokenflow/contracts';
import { createLogger } from '@tokenflow/observability';
import { StreamTally } from '../invoke/stream-tally';
import { relayStream } from '../invoke/stream-relay';
import { StreamWatchdog } from '../invoke/stream-watchdog';
import { UpstreamKeysStore } from '../invoke/upstream-keys.store';
import { providerFor } from '../providers/provider.registry';
import { sanitize } from '../providers/upstream-errors';
import { readLimited } from '../upstream/read-limited';
import { mapTransportError, UpstreamClient } from '../upstream/upstream-client';

/** A probe is a health check: it never waits longer than this, whatever budget its caller has. */
const PROBE_CAP_MS = 15_000;
const ANSWER_CHARS = 200;
const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * One minimal chat request (one output token) on one channel key, for the router's breaker probes and the admin
 * channel test. It is a question about the key, not a request of anyone's: it is not billed, publishes no usage,
 * takes no upstream quota and is not counted in the health reports (its caller judges its reply).
 */
@Injectable()
export class ProbeService {
  private readonly log = createLogger('provider-adapter.probe');

  constructor(
    private readonly keys: UpstreamKeysStore,
    private readonly upstream: UpstreamClient,
  ) {}

  /** `callDeadline`: the caller's, on this host's clock. Never throws: every failure is a reply with `ok: false`. */
  async probe(req: ProbeRequest, callDeadline: number | undefined): Promise<ProbeReply> {
    const deadline = Math.min(callDeadline ?? Infinity, Date.now() + PROBE_CAP_MS);
    const left = () => Math.max(1, deadline - Date.now());
    const t = req.attempt.timeouts;
    const timeouts = { connectMs: Math.min(t.connectMs, left()), firstByteMs: Math.min(t.firstByteMs, left()), idleMs: Math.min(t.idleMs, left()) };
    const watchdog = new StreamWatchdog(timeouts);
    // What must never leave this process, whatever the upstream echoes back: the key and where it is sent.
    const secrets: string[] = [];
    let started = Date.now();
    let signal: AbortSignal | null = null;
    try {
      const provider = providerFor(req.attempt.provider);
      const attempt = await this.keys.resolve(req.attempt, deadline);
      const request = provider.chat.buildRequest(attempt, { model: req.model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1, stream: true });
      secrets.push(attempt.apiKey, request.url, new URL(request.url).host);
      signal = AbortSignal.any([watchdog.signal, AbortSignal.timeout(left())]);
      started = Date.now();
      watchdog.awaitingFirstByte();
      const res = await this.upstream.send(request, timeouts, signal);
      watchdog.sawData();
      if (res.status < 200 || res.status >= 300) throw provider.mapError(res.status, await readLimited(res.body, ERROR_BODY_LIMIT), res.retryAfter);
      let answer = '';
      await relayStream(res.body, provider.chat.createDecoder(), { watchdog, tally: new StreamTally(), emit: (chunks) => (answer = appendText(answer, chunks)) });
      return { ok: true, latencyMs: Date.now() - started, answer: answer || null, error: null };
    } catch (err) {
      const error = watchdog.fired ?? (signal?.aborted ? new TfError('upstream_timeout', 'The probe did not finish in time.', { retryable: true }) : mapTransportError(err));
      // The code only: an upstream's message or undici's may name the host.
      this.log.info({ channelId: req.attempt.channelId, keyRef: req.attempt.keyRef, code: error.code, status: error.status }, 'probe failed');
      return { ok: false, latencyMs: Date.now() - started, answer: null, error: scrub(error.toWire(), secrets) };
    } finally {
      watchdog.stop();
    }
  }
}

/** The answer's first words, never more than `ANSWER_CHARS`. */
function appendText(answer: string, chunks: Record<string, unknown>[]): string {
  for (const chunk of chunks) {
    if (answer.length >= ANSWER_CHARS) break;
    for (const choice of (chunk.choices as { delta?: { content?: unknown } }[] | undefined) ?? []) {
      if (typeof choice.delta?.content === 'string') answer += choice.delta.content;
    }
  }
  return answer.slice(0, ANSWER_CHARS);
}

/** The shared rules (key-shaped words, URLs) plus this probe's own key and address, whatever their shape. */
function scrub(error: WireError, secrets: string[]): WireError {
  let message = error.message;
  for (const s of secrets) if (s.length >= 4) message = message.split(s).join('[redacted]');
  return { ...error, message: sanitize(message) };
}
