import type { ClientChannel } from '../gateway/client-channel';

/**
 * The client channel of a stored response (`store: true`): the write that carries the finished Response
 * (`response.completed`, or the whole body) waits until the store has it, so a continuation sent the moment the
 * client sees it finds it. `save` never rejects: a store failure is logged and counted by the caller, and the client
 * still gets its answer.
 */
export class StoringClientChannel implements ClientChannel {
  private saving: Promise<void> | null = null;

  constructor(
    private readonly inner: ClientChannel,
    private readonly finished: () => Record<string, unknown> | null,
    private readonly save: (response: Record<string, unknown>) => Promise<void>,
  ) {}

  get signal(): AbortSignal {
    return this.inner.signal;
  }

  get started(): boolean {
    return this.inner.started;
  }

  setHeaders(headers: Record<string, string>): void {
    this.inner.setHeaders(headers);
  }

  openStream(headers: Record<string, string>): void {
    this.inner.openStream(headers);
  }

  write(text: string): boolean {
    const response = this.finished();
    if (response) {
      this.saving = this.save(response).then(() => {
        this.inner.write(text);
      });
      return true;
    }
    if (this.saving) {
      const before = this.saving;
      this.saving = before.then(() => {
        this.inner.write(text);
      });
      return true;
    }
    return this.inner.write(text);
  }

  drained(ms: number, stop?: AbortSignal): Promise<boolean> {
    return this.inner.drained(ms, stop);
  }

  endStream(): void {
    if (this.saving) void this.saving.then(() => this.inner.endStream());
    else this.inner.endStream();
  }

  abandon(): void {
    this.inner.abandon();
  }

  async send(headers: Record<string, string>, body: Record<string, unknown>, large: boolean): Promise<void> {
    const response = this.finished();
    if (response) await this.save(response);
    await this.inner.send(headers, body, large);
  }

  /** Resolves once a held write went out (at once when none was held). */
  async flushed(): Promise<void> {
    await this.saving;
  }
}
