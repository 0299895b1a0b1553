import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { type BlobRef, type ResponseCarried, RESPONSES_INLINE_REPLY_BYTES, TfError } from '@tokenflow/contracts';
import { decode, NatsBus } from '@tokenflow/messaging';

/** How long a reply served as a blob stays available to its one reader (it pulls at once; this only bounds a lost reader). */
const REPLY_BLOB_TTL_MS = 60_000;
const PART_TIMEOUT_MS = 10_000;

/**
 * Payloads of the response-store subjects larger than one NATS message (decision 0022): a request's JSON is pulled from
 * the sender's blob, a large reply is served as one for the caller to pull. Replies are built as JSON text from
 * Postgres's own rendering of the jsonb (`replyJson`), so what is large is never parsed or encoded on billing's event
 * loop; only a reply up to `RESPONSES_INLINE_REPLY_BYTES` is parsed here, to ride inline.
 */
@Injectable()
export class CarriedPayloads implements OnApplicationShutdown {
  private readonly open = new Set<() => void>();

  constructor(private readonly bus: NatsBus) {}

  /**
   * The request, pulled from its blob when it was carried. `maxBytes` bounds what is pulled (and then parsed on this
   * loop): a larger blob is refused by its declared size, before any part of it is fetched.
   */
  async receive<T extends object>(req: T | ResponseCarried, maxBytes: number, tooLarge: (bytes: number) => TfError): Promise<T> {
    if (!('carried' in req)) return req;
    const ref: BlobRef = req.carried;
    if (!Number.isSafeInteger(ref.bytes) || ref.bytes < 0 || ref.bytes > maxBytes) throw tooLarge(Number(ref.bytes));
    return decode<T>(await this.bus.fetchBlob(ref, PART_TIMEOUT_MS));
  }

  /** A reply given as JSON text: a small one parsed to ride inline, a larger one served as it is. */
  replyJson<T extends object>(json: string): T | ResponseCarried {
    const bytes = Buffer.from(json);
    if (bytes.length <= RESPONSES_INLINE_REPLY_BYTES) return JSON.parse(json) as T;
    return this.serve(bytes);
  }

  /** `GET /v1/responses/{id}`'s reply: the JSON text inline as a string, or (larger) its bytes as the blob. */
  replyRaw(json: string): { json: string } | ResponseCarried {
    const bytes = Buffer.from(json);
    return bytes.length <= RESPONSES_INLINE_REPLY_BYTES ? { json } : this.serve(bytes);
  }

  private serve(bytes: Uint8Array): ResponseCarried {
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
