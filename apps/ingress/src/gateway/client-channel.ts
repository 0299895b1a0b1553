/**
 * The client's side of a call, as the lifecycle sees it: no HTTP here. `HttpClientChannel` puts it on a Fastify
 * reply; unit tests record what a client would receive.
 */
export interface ClientChannel {
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
  /** Whether a status line went out: after that, failures can only travel inside the stream. */
  readonly started: boolean;
  /** Headers every answer carries from now on, errors included (the rate-limit state). */
  setHeaders(headers: Record<string, string>): void;
  /** Starts a 200 event stream. */
  openStream(headers: Record<string, string>): void;
  /** Writes stream text; false when the client's socket buffer is full (see `drained`). */
  write(text: string): boolean;
  /** Resolves true once the socket drained, false when it closed, `ms` passed or `stop` was aborted first. */
  drained(ms: number, stop?: AbortSignal): Promise<boolean>;
  /** Ends the stream (no-op once the client is gone). */
  endStream(): void;
  /** Drops a client that stopped reading. */
  abandon(): void;
  /** The whole answer, as JSON; `large` ones are serialized in slices between other work. */
  send(headers: Record<string, string>, body: Record<string, unknown>, large: boolean): Promise<void>;
}
