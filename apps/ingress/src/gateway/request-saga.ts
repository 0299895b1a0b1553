import type { CancelEvent, ErrorCode, RateLimitAcquireReply } from '@tokenflow/contracts';
import { TfError } from '@tokenflow/contracts';
import { UndeliveredError } from '@tokenflow/messaging';

export type StopReason = CancelEvent['reason'];

/** What the saga does to undo a step. NATS in production (`BusCompensations`); a recorder in unit tests. */
export interface Compensations {
  /** Frees the call's concurrency slots; `refundTokens` when no usage event will correct its TPM estimate. */
  releaseLimits(limits: RateLimitAcquireReply, requestId: string, refundTokens: boolean): void;
  /** Gives a placed hold back: at once when billing answers, else durably. */
  releaseHold(requestId: string): Promise<void>;
  /** A hold billing may have placed without our hearing back: released durably, which also refuses it if it arrives later. */
  releaseUnknownHold(requestId: string): Promise<void>;
  /** Stops the adapter's attempt: it then publishes that attempt's usage, which settles (releases) the hold. */
  cancelAttempt(requestId: string, reason: StopReason): void;
}

/** Errors with which billing refused a hold it then did not place: nothing to release. */
const HOLD_REFUSALS = new Set<ErrorCode>(['insufficient_quota', 'model_not_priced', 'invalid_api_key']);

type HoldState = 'none' | 'placed' | 'released';
/**
 * `accepted`: an adapter runs an attempt and has not ended it; it may bill. `settling`: it ended with output, and
 * its usage event settles the hold. `refused`: it ended before any output and bills nothing.
 */
type AttemptState = 'none' | 'accepted' | 'settling' | 'refused';

/**
 * Owns every compensation of one call — the rate-limit release, the hold release and the attempt's cancel — so
 * each happens exactly once, on every path out, decided from what happened rather than from flags spread over the
 * call. A call has rounds (`auto` may plan again after a model refused the input as too long); each round is its
 * own request to the ledger (its own hold and attempt), while the call's rate-limit admission is kept across
 * rounds and given back once, at the end.
 */
export class RequestSaga {
  private roundNo = -1;
  private roundId: string;
  private limits: RateLimitAcquireReply | null = null;
  private hold: HoldState = 'none';
  private attempt: AttemptState = 'none';
  private cancelled = false;
  /** An earlier round's adapter may still bill (its usage event also corrects the call's TPM estimate). */
  private earlierRoundBills = false;
  private clientGone = false;
  private ended = false;

  constructor(
    private readonly callId: string,
    private readonly effects: Compensations,
  ) {
    this.roundId = callId;
  }

  /** Starts a round; returns the request id the round uses on the ledger (the call's own for the first). */
  startRound(): string {
    this.earlierRoundBills ||= this.adapterMayBill;
    this.roundNo++;
    this.roundId = this.roundNo === 0 ? this.callId : `${this.callId}-r${this.roundNo}`;
    this.hold = 'none';
    this.attempt = 'none';
    this.cancelled = false;
    return this.roundId;
  }

  get round(): number {
    return this.roundNo;
  }

  get requestId(): string {
    return this.roundId;
  }

  /** The call's rate-limit admission, once taken (a later round reuses it). */
  get admittedLimits(): RateLimitAcquireReply | null {
    return this.limits;
  }

  get clientLeft(): boolean {
    return this.clientGone;
  }

  limitsTaken(limits: RateLimitAcquireReply): void {
    this.limits ??= limits;
  }

  holdPlaced(): void {
    this.hold = 'placed';
  }

  /**
   * Billing refused (nothing placed) or never got the request (nothing to release); or it did not answer: then a
   * hold may exist, and is released durably.
   */
  async holdFailed(err: unknown): Promise<void> {
    if (err instanceof UndeliveredError || (err instanceof TfError && HOLD_REFUSALS.has(err.code))) return;
    await this.effects.releaseUnknownHold(this.roundId);
  }

  /**
   * An attempt is being handed to an adapter: from now on it may bill, until it says otherwise. Marked before the
   * invoke is sent, since an invoke that timed out may still have been taken (then it is cancelled at round end).
   */
  attemptAccepted(): void {
    this.attempt = 'accepted';
  }

  /**
   * The attempt ended without output (an error as its first frame), or its invoke reached no adapter: it bills
   * nothing; another may follow.
   */
  attemptRefused(): void {
    this.attempt = 'refused';
  }

  /** The attempt's terminal frame arrived after output: its usage event settles the hold. */
  attemptEnded(): void {
    if (this.attempt === 'accepted') this.attempt = 'settling';
  }

  /** The client went away: a running attempt is stopped at once (it still bills what it generated). */
  clientDisconnected(): void {
    this.clientGone = true;
    this.cancelRunning('client_disconnected');
  }

  /**
   * Ingress ends the answer itself (frames lost, a client too slow for the bounded relay, shutdown): a running attempt
   * is stopped now, with that reason (it still bills what it generated).
   */
  attemptCut(reason: StopReason): void {
    this.cancelRunning(reason);
  }

  /** Whether an adapter may still publish usage for this round (which settles its hold and corrects the TPM estimate). */
  get adapterMayBill(): boolean {
    return this.attempt === 'accepted' || this.attempt === 'settling';
  }

  /**
   * The round is over, however it went. An attempt still running is stopped (its usage then releases the hold);
   * a hold no adapter will settle is given back now.
   */
  async endRound(): Promise<void> {
    this.cancelRunning(this.clientGone ? 'client_disconnected' : 'deadline');
    if (this.hold === 'placed' && !this.adapterMayBill) {
      this.hold = 'released';
      await this.effects.releaseHold(this.roundId);
    }
  }

  /** The call is over: its rate-limit slots go back, with the TPM estimate unless usage will correct it. */
  endCall(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.limits) this.effects.releaseLimits(this.limits, this.callId, !(this.adapterMayBill || this.earlierRoundBills));
  }

  private cancelRunning(reason: StopReason): void {
    if (this.attempt !== 'accepted' || this.cancelled) return;
    this.cancelled = true;
    this.effects.cancelAttempt(this.roundId, reason);
  }
}
