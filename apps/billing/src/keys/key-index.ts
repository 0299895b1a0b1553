import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { createLogger } from '@tokenflow/observability';
import { KeysRepository } from './keys.repository';
import { MissLookupBudget } from './miss-lookup-budget';

/** Lookups of hashes the index does not hold, per second: enough for a key created a moment ago on another replica. */
const MISS_LOOKUPS_PER_SECOND = 20;
/** A full reload now and then repairs a broadcast this replica missed (a NATS reconnect). */
const RELOAD_MS = 5 * 60_000;

/**
 * The hashes of every live API key, in memory: a well-formed key nobody issued is refused without a database
 * query, so a flood of random keys cannot turn into a flood of queries. Kept current by the key-changed broadcast
 * (every replica hears every creation), with a small budget of database lookups for hashes it does not hold, for the
 * moment between a key's creation on another replica and its broadcast arriving here.
 */
@Injectable()
export class KeyIndex implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = createLogger('billing.key-index');
  private hashes = new Set<string>();
  private loaded = false;
  private readonly missLookups = new MissLookupBudget(MISS_LOOKUPS_PER_SECOND, Date.now());
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly keys: KeysRepository,
    private readonly bus: NatsBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.bus.on(Subjects.billingKeyChanged, (ev) => {
      if (ev.change === 'revoked') this.hashes.delete(ev.keyHash);
      else this.hashes.add(ev.keyHash);
    });
    await this.reload();
    this.timer = setInterval(() => void this.reload(), RELOAD_MS).unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  add(hash: string): void {
    this.hashes.add(hash);
  }

  /** Whether asking the database about `hash` can find a key. */
  mayExist(hash: string): boolean {
    if (!this.loaded || this.hashes.has(hash)) return true;
    return this.missLookups.take(Date.now());
  }

  private async reload(): Promise<void> {
    try {
      const fresh = new Set(await this.keys.activeHashes());
      // A key created while the query ran is in the current set (from its broadcast), maybe not in the result. A
      // revoked key kept this way only costs a lookup that finds nothing.
      for (const h of this.hashes) fresh.add(h);
      this.hashes = fresh;
      this.loaded = true;
    } catch (err) {
      this.log.warn({ err: (err as Error)?.message }, 'key index reload failed; database lookups stay on');
    }
  }
}
