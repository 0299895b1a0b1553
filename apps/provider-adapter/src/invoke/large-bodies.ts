import { join } from 'node:path';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { type Attempt, type Endpoint, TfError, type WireError } from '@tokenflow/contracts';
import { Piscina } from 'piscina';
import type { UpstreamHttpRequest } from '../providers/provider';

/**
 * Request bodies larger than one NATS message (images as data URLs, up to the HTTP body limit) are parsed and
 * translated for the upstream in a worker thread: megabytes of JSON cost tens of milliseconds each way, which the
 * event loop — relaying everyone's streams — must not spend in one block.
 */
@Injectable()
export class LargeBodies implements OnApplicationShutdown {
  private readonly pool = new Piscina({ filename: join(__dirname, 'large-body.worker.js'), minThreads: 0, maxThreads: 1, maxQueue: 64, idleTimeout: 60_000 });

  /** Parses fetched bytes; they are moved to the worker. */
  async parse(bytes: Uint8Array): Promise<Record<string, unknown>> {
    return (await this.pool.run(bytes, { transferList: [bytes.buffer as ArrayBuffer] })) as Record<string, unknown>;
  }

  async buildRequest(attempt: Attempt, endpoint: Endpoint, body: Record<string, unknown>): Promise<UpstreamHttpRequest> {
    const built = (await this.pool.run({ attempt, endpoint, body }, { name: 'build' })) as UpstreamHttpRequest | { error: WireError };
    if ('error' in built) throw TfError.fromWire(built.error);
    return built;
  }

  onApplicationShutdown(): Promise<void> {
    return this.pool.close({ force: true });
  }
}
