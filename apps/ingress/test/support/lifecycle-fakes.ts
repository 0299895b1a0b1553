import type { HoldReply, PlannedAttempt, PlanReply, StreamFrame, TfError } from '@tokenflow/contracts';
import type { AttemptBase, FrameSource, OpenedStream, OpenOptions } from '../../src/gateway/attempt-runner';
import type { ClientChannel } from '../../src/gateway/client-channel';
import type { Compensations, RequestSaga } from '../../src/gateway/request-saga';

/** Records every compensation a saga performs, in order. */
export function recordCompensations(): Compensations & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    releaseLimits: (_limits, requestId, refundTokens) => void log.push(`limits ${requestId} refund=${refundTokens}`),
    releaseHold: async (requestId) => void log.push(`hold ${requestId}`),
    releaseUnknownHold: async (requestId) => void log.push(`unknown-hold ${requestId}`),
    cancelAttempt: (requestId, reason) => void log.push(`cancel ${requestId} ${reason}`),
  };
}

/** What a client received: the status it saw, headers, SSE text or the JSON body. */
export class RecordingClient implements ClientChannel {
  readonly left = new AbortController();
  headers: Record<string, string> = {};
  status: 'none' | 'stream' | 'json' = 'none';
  text = '';
  body: Record<string, unknown> | null = null;
  ended = false;
  /** Makes every write report a full buffer and `drained` never succeed (a reader that stopped reading). */
  stalled = false;

  get signal(): AbortSignal {
    return this.left.signal;
  }

  get started(): boolean {
    return this.status !== 'none';
  }

  setHeaders(headers: Record<string, string>): void {
    Object.assign(this.headers, headers);
  }

  openStream(headers: Record<string, string>): void {
    this.status = 'stream';
    Object.assign(this.headers, headers);
  }

  write(text: string): boolean {
    this.text += text;
    return !this.stalled;
  }

  async drained(): Promise<boolean> {
    return !this.stalled;
  }

  endStream(): void {
    this.ended = true;
  }

  abandon(): void {
    this.left.abort();
  }

  async send(headers: Record<string, string>, body: Record<string, unknown>): Promise<void> {
    this.status = 'json';
    Object.assign(this.headers, headers);
    this.body = body;
  }
}

/**
 * Frames handed out in order; past the last one, `next` times out the way a silent inbox does — or, with `hang`,
 * waits as an inbox does for a producer that went quiet, until it is closed.
 */
export class ScriptedFrames implements FrameSource {
  closed = false;
  private onClose: (() => void) | null = null;
  private readonly failed = new AbortController();
  constructor(
    private readonly frames: StreamFrame[],
    private readonly hang = false,
  ) {}

  get failure(): AbortSignal {
    return this.failed.signal;
  }

  /** As an inbox does: the pending and every later `next` reject with `err`. */
  fail(err: TfError): void {
    if (this.closed || this.failed.signal.aborted) return;
    this.failed.abort(err);
    this.onClose?.();
  }

  async next(): Promise<StreamFrame> {
    if (this.failed.signal.aborted) throw this.failed.signal.reason;
    const f = this.frames.shift();
    if (f) return f;
    if (!this.hang) throw Object.assign(new Error('The upstream did not respond in time.'), { name: 'TimeoutError' });
    if (this.closed) throw new Error('stream closed');
    return new Promise((_, reject) => {
      this.onClose = () => reject(this.failed.signal.aborted ? this.failed.signal.reason : new Error('stream closed'));
    });
  }

  close(): void {
    this.closed = true;
    this.onClose?.();
  }
}

export const ATTEMPT: PlannedAttempt = {
  channelId: 'ch_1',
  channelName: 'primary',
  provider: 'deepseek',
  baseUrl: 'http://upstream.test',
  keyRef: 'kref',
  upstreamModel: 'deepseek-chat',
  timeouts: { connectMs: 1_000, firstByteMs: 1_000, idleMs: 1_000 },
};

export function planFor(model: string, extra: Partial<PlanReply> = {}): PlanReply {
  return { model, maxOutputTokens: 1_000, contextWindow: 64_000, inputs: null, route: 'direct', reason: 'test', attempts: [ATTEMPT], fallbacks: [], ...extra };
}

export const HOLD: HoldReply = { holdId: 'h1', amountNano: '1000000', price: { inputNanoPerToken: '1000', outputNanoPerToken: '2000' } };

export function chunk(seq: number, content: string): StreamFrame {
  return { type: 'chunk', seq, data: { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'x', choices: [{ index: 0, delta: { content }, finish_reason: null }] } };
}

export function end(seq: number): StreamFrame {
  return { type: 'end', seq, usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }, usageSource: 'upstream' };
}

/** An attempt runner that plays one scripted outcome per call: a stream to open, or an error to refuse with. */
export class ScriptedAttempts {
  readonly bases: AttemptBase[] = [];
  /** The frames of the last stream opened. */
  frames: ScriptedFrames | null = null;
  constructor(
    private readonly outcomes: (StreamFrame[] | Error)[],
    private readonly hang = false,
  ) {}

  readonly mayWait: boolean[] = [];

  async open(_attempts: PlannedAttempt[], base: AttemptBase, _ctx: unknown, _signal: AbortSignal, saga: RequestSaga, opts: OpenOptions): Promise<OpenedStream> {
    this.bases.push(base);
    this.mayWait.push(opts.mayWait);
    const outcome = this.outcomes.shift();
    if (!outcome) throw new Error('no scripted attempt left');
    saga.attemptAccepted();
    opts.log.count++;
    if (outcome instanceof Error) {
      saga.attemptRefused();
      opts.log.failed(ATTEMPT, outcome as TfError);
      throw outcome;
    }
    const frames = new ScriptedFrames(outcome, this.hang);
    this.frames = frames;
    return { attempt: ATTEMPT, first: await frames.next(), frames };
  }
}
