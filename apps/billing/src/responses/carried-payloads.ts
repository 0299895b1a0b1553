import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ResponseCarried } from '@tokenflow/contracts';
import { decode, NatsBus } from '@tokenflow/messaging';

/** How long a reply served as a blob stays available to its one reader (it pulls at once; this only bounds a lost reader). */
const REPLY_BLOB_TTL_MS = 60_000;
const PART_TIMEOUT_MS = 10_000;

/**
 * Payloads of the response-store subjects larger than one NATS message (decision 0022): a request's JSON is pulled from
 * the sender's blob, a large reply is served as one for the caller to pull. Small payloads pass as they are.
 */
@Injectable()
export class CarriedPayloads implements OnApplicationShutdown {
  private readonly open = new Set<() => void>();

  constructor(private readonly bus: NatsBus) {}

  async receive<T extends object>(req: T | ResponseCarried): Promise<T> {
    if (!('carried' in req)) return req;
    return decode<T>(await this.bus.fetchBlob(req.carried, PART_TIMEOUT_MS));
  }

  reply<T extends object>(value: T): T | ResponseCarried {
    const bytes = Buffer.from(JSON.stringify(value));
    if (bytes.length <= this.bus.inlineLimit) return value;
    const blob = this.bus.serveBlob(bytes);
    const close = () => {
      clearTimeout(timer);
      this.open.delete(close);
      blob.close();
    };
    const timer = setTimeout(close, REPLY_BLOB_TTL_MS);
    timer.unref();
    this.open.add(close);
    return { carried: blob.ref };
  }

  onApplicationShutdown(): void {
    for (const close of [...this.open]) close();
  }
}
