import { join } from 'node:path';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { TfError } from '@tokenflow/contracts';
import { Piscina } from 'piscina';
import type { Parsed } from './json-body.worker';

/**
 * A worker thread for the JSON work that grows with a body: parsing a large request body, and encoding a large
 * upstream body for the bus. Megabytes of JSON cost tens of milliseconds either way; here they cost the event loop
 * only the copies in and out (memcpy speed for string-heavy bodies such as images).
 */
@Injectable()
export class JsonWorkers implements OnApplicationShutdown {
  private readonly pool = new Piscina({ filename: join(__dirname, 'json-body.worker.js'), minThreads: 1, maxThreads: 1, maxQueue: 64, idleTimeout: 60_000 });

  /** Parses (already scanned) bytes; the buffer is moved to the worker, so the caller must not use it again. */
  async parse(buf: Buffer, length: number): Promise<Parsed> {
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    return (await this.run(() => this.pool.run({ bytes, length }, { transferList: [bytes.buffer as ArrayBuffer] }))) as Parsed;
  }

  /**
   * `JSON.parse` of trusted JSON (a stored response's, as billing sends it) off the event loop, without a request
   * body's scan and caps; the bytes are moved to the worker, so the caller must not use them again.
   */
  async decode<T>(bytes: Uint8Array): Promise<T> {
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    return (await this.run(() => this.pool.run(own, { name: 'decode', transferList: [own.buffer as ArrayBuffer] }))) as T;
  }

  /** `JSON.stringify` then UTF-8, off the event loop; the bytes come back moved. */
  async encode(value: unknown): Promise<Uint8Array> {
    return (await this.run(() => this.pool.run(value, { name: 'encode' }))) as Uint8Array;
  }

  onApplicationShutdown(): Promise<void> {
    return this.pool.close({ force: true });
  }

  private async run(task: () => Promise<unknown>): Promise<unknown> {
    try {
      return await task();
    } catch {
      throw new TfError('service_unavailable', 'Too many large requests are being handled right now. Please retry shortly.', { retryAfterMs: 1_000 });
    }
  }
}
