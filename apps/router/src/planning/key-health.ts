import { Inject, Injectable } from '@nestjs/common';
import type { KeyFailedEvent } from '@tokenflow/contracts';
import { ROUTER_CONFIG, type RouterConfig } from '../config';

/**
 * Channel keys an upstream refused (bad credentials, out of credit), benched for `KEY_BENCH_MS`. A benched key
 * is not removed: plans put it after every healthy key, so it is the last resort rather than the first try, and a
 * key fixed upstream comes back on its own when the bench ends. Every router replica hears every report.
 */
@Injectable()
export class KeyHealth {
  private readonly benched = new Map<string, number>();

  constructor(@Inject(ROUTER_CONFIG) private readonly config: Pick<RouterConfig, 'KEY_BENCH_MS'>) {}

  bench(ev: KeyFailedEvent): void {
    this.benched.set(`${ev.channelId}:${ev.keyFingerprint}`, Date.now() + this.config.KEY_BENCH_MS);
  }

  /** `keyRef`: the key's reference (`PlannedAttempt.keyRef`), which the adapter reports back as the fingerprint. */
  healthy(channelId: string, keyRef: string): boolean {
    const id = `${channelId}:${keyRef}`;
    const until = this.benched.get(id);
    if (until === undefined) return true;
    if (until > Date.now()) return false;
    this.benched.delete(id);
    return true;
  }

  /** An operator edited the channel (new keys, say): its old verdicts no longer apply. */
  forgetChannel(channelId: string): void {
    for (const id of this.benched.keys()) if (id.startsWith(`${channelId}:`)) this.benched.delete(id);
  }
}
