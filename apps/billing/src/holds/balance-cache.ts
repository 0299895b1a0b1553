import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { SCRIPTS } from './balance-scripts.lua';

export interface BalanceSnapshot {
  accountId: string;
  balanceNano: bigint;
  creditLimitNano: bigint;
  version: bigint;
}

export type HoldResult = { granted: true } | { granted: false; availableNano: bigint } | { cold: true };

/** Redis side of balances and holds: thin wrappers over the atomic scripts. */
@Injectable()
export class BalanceCache implements OnApplicationShutdown {
  readonly redis: Redis;
  private readonly prefix: string;

  constructor(@Inject(BILLING_CONFIG) config: BillingConfig) {
    this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, enableAutoPipelining: true });
    this.prefix = `tf:${config.TF_NAMESPACE}`;
  }

  private keys(accountId: string, requestId: string): string[] {
    const tag = `${this.prefix}:{a:${accountId}}`;
    return [`${tag}:bal`, `${tag}:hold:${requestId}`, `${this.prefix}:holds-by-expiry`];
  }

  async hold(accountId: string, requestId: string, amountNano: bigint, ttlMs: number): Promise<HoldResult> {
    const res = (await this.run('hold', this.keys(accountId, requestId), [amountNano.toString(), String(ttlMs), member(accountId, requestId)])) as [
      number,
      string?,
    ];
    if (res[0] === -1) return { cold: true };
    if (res[0] === 1) return { granted: true };
    return { granted: false, availableNano: BigInt(res[1] ?? '0') };
  }

  async release(accountId: string, requestId: string): Promise<bigint> {
    return BigInt((await this.run('release', this.keys(accountId, requestId), [member(accountId, requestId)])) as number);
  }

  async sync(s: BalanceSnapshot): Promise<void> {
    await this.run('sync', [this.keys(s.accountId, '')[0]], [s.balanceNano.toString(), s.creditLimitNano.toString(), s.version.toString()]);
  }

  /** Holds whose time ran out (their owner never settled or released them). */
  async expiredHolds(limit = 500): Promise<{ accountId: string; requestId: string }[]> {
    const now = await this.redis.time();
    const nowMs = Number(now[0]) * 1000 + Math.floor(Number(now[1]) / 1000);
    const members = await this.redis.zrangebyscore(this.keys('', '')[2], 0, nowMs, 'LIMIT', 0, limit);
    return members.map(parseMember);
  }

  async held(accountId: string): Promise<bigint> {
    return BigInt((await this.redis.hget(this.keys(accountId, '')[0], 'held')) ?? '0');
  }

  private async run(name: keyof typeof SCRIPTS, keys: string[], args: string[]): Promise<unknown> {
    const s = SCRIPTS[name];
    try {
      return await this.redis.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err;
      return this.redis.eval(s.lua, keys.length, ...keys, ...args);
    }
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

const member = (accountId: string, requestId: string) => `${accountId}|${requestId}`;
function parseMember(m: string): { accountId: string; requestId: string } {
  const i = m.indexOf('|');
  return { accountId: m.slice(0, i), requestId: m.slice(i + 1) };
}
