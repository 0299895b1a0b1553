import { createLogger } from '@tokenflow/observability';
import type { FastifyReply } from 'fastify';
import type { ClientChannel } from '../gateway/client-channel';
import { stringifyInSlices } from './sliced-json';

const log = createLogger('ingress.http');

/** How long an ended stream's last bytes may wait for a reader who is not reading before its socket is closed. */
const END_LINGER_MS = 10_000;

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/** The lifecycle's client on a Fastify reply: SSE written on the raw socket (hijacked), whole answers sent by Fastify. */
export class HttpClientChannel implements ClientChannel {
  private readonly left = new AbortController();

  constructor(private readonly reply: FastifyReply) {
    const raw = reply.raw;
    // `close` also follows a finished answer; by then the call is over and nobody listens. The abort runs the call's
    // listeners synchronously inside this socket event: one that throws must not become an uncaught exception.
    raw.once('close', () => {
      try {
        this.left.abort();
      } catch (err) {
        log.error({ err, requestId: reply.request.id }, 'client-close listener failed');
      }
    });
    if (raw.destroyed) this.left.abort();
  }

  get signal(): AbortSignal {
    return this.left.signal;
  }

  get started(): boolean {
    return this.reply.sent || this.reply.raw.headersSent;
  }

  setHeaders(headers: Record<string, string>): void {
    void this.reply.headers(headers);
  }

  openStream(headers: Record<string, string>): void {
    const preset = this.reply.getHeaders() as Record<string, string>;
    this.reply.hijack();
    this.reply.raw.writeHead(200, { ...preset, ...headers, ...SSE_HEADERS });
    this.reply.request.trail?.firstByte();
  }

  write(text: string): boolean {
    const raw = this.reply.raw;
    if (raw.destroyed || !text) return !raw.destroyed;
    return raw.write(text);
  }

  drained(ms: number, stop?: AbortSignal): Promise<boolean> {
    const socket = this.reply.raw;
    if (stop?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        socket.off('drain', onDrain);
        socket.off('close', onClose);
        stop?.removeEventListener('abort', onClose);
        resolve(ok);
      };
      const onDrain = () => finish(true);
      const onClose = () => finish(false);
      const timer = setTimeout(() => finish(false), Math.max(1, ms));
      socket.once('drain', onDrain);
      socket.once('close', onClose);
      stop?.addEventListener('abort', onClose, { once: true });
    });
  }

  endStream(): void {
    const raw = this.reply.raw;
    if (raw.destroyed) return;
    raw.end();
    if (raw.writableFinished) return;
    // A reader that stopped reading would keep what is still buffered (the last events) and its socket forever.
    const linger = setTimeout(() => raw.destroy(), END_LINGER_MS);
    linger.unref();
    raw.once('close', () => clearTimeout(linger));
  }

  abandon(): void {
    this.reply.raw.destroy();
  }

  async send(headers: Record<string, string>, body: Record<string, unknown>, large: boolean): Promise<void> {
    // Not awaited: Fastify writes it; the call is over for the lifecycle once it is handed over.
    const json = large ? await stringifyInSlices(body) : null;
    const reply = this.reply.status(200).headers(headers);
    reply.request.trail?.firstByte();
    if (json !== null) void reply.type('application/json').send(json);
    else void reply.send(body);
  }
}
