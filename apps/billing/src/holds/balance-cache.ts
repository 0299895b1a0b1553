import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { SCRIPTS } from './balance-scripts.lua';
import { heldAmountOf, holdMember, holdResultOf, type HoldResult, parseHoldMember } from './hold-reply';

export interface BalanceSnapshot {
  accountId: string;
  balanceNano: bigint;
  creditLimitNano: bigint;
  version: bigint;
}

export interface UnsettledArgs {
  limitNano: bigint;
  epoch: string;
  ttlMs: number;
}

export interface BudgetArgs {
  limitNano: bigint;
  windowId: string;
}

/** Redis side of balances and holds: thin wrappers over the atomic scripts. */
@Injectable()
export class BalanceCache implements OnApplicationShutdown {
  readonly redis: Redis;
  private readonly prefix: string;

  constructor(@Inject(BILLING_CONFIG) config: BillingConfig) {
    this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, enableAutoPipelining: true });
    this.prefix = `tf:${config.TF_NAMESPACE}`;
  }

  private keys(accountId: string, requestId: string, keyId: string): string[] {
    const tag = `${this.prefix}:{a:${accountId}}`;
    return [`${tag}:bal`, `${tag}:hold:${requestId}`, `${this.prefix}:holds-by-expiry`, `${tag}:kb:${keyId}`, `${tag}:abandoned:${requestId}`];
  }

  /** `unsettled`: only while the ledger is unavailable, the account's limit for holds granted in this outage. */
  async hold(
    accountId: string,
    requestId: string,
    keyId: string,
    amountNano: bigint,
    ttlMs: number,
    budget: BudgetArgs | null,
    unsettled: UnsettledArgs | null = null,
  ): Promise<HoldResult> {
    const keys = this.keys(accountId, requestId, keyId);
    const args = [amountNano.toString(), String(ttlMs), holdMember(accountId, requestId, keyId), budget ? budget.limitNano.toString() : '', budget?.windowId ?? ''];
    if (unsettled) {
      keys.push(this.unsettledKey(accountId, unsettled.epoch));
      args.push(unsettled.limitNano.toString(), String(unsettled.ttlMs));
    }
    return holdResultOf((await this.run('hold', keys, args)) as [number, string?]);
  }

  /** Maximum cost of the holds granted to the account since the ledger became unavailable at `epoch`. */
  async unsettled(accountId: string, epoch: string): Promise<bigint> {
    return BigInt((await this.redis.get(this.unsettledKey(accountId, epoch))) ?? '0');
  }

  private unsettledKey(accountId: string, epoch: string): string {
    return `${this.prefix}:{a:${accountId}}:unsettled:${epoch}`;
  }

  /** Refuses any hold of this request from now on (for `ttlMs`): whoever asked for it has already given up. */
  async abandon(accountId: string, requestId: string, ttlMs: number): Promise<void> {
    await this.run('abandon', [this.keys(accountId, requestId, '')[4]], [String(ttlMs)]);
  }

  /** The amount an open hold reserves, or null when there is no such hold (released, expired or never placed). */
  async holdAmount(accountId: string, requestId: string): Promise<bigint | null> {
    const value = await this.redis.get(this.keys(accountId, requestId, '')[1]);
    return value === null ? null : heldAmountOf(value);
  }

  async release(accountId: string, requestId: string, keyId: string): Promise<bigint> {
    return BigInt((await this.run('release', this.keys(accountId, requestId, keyId), [holdMember(accountId, requestId, keyId)])) as string | number);
  }

  /** `init`: create the key's budget cache (or roll it to a new window); otherwise only raise a cached spend. */
  async budgetSync(accountId: string, keyId: string, windowId: string, spentNano: bigint, init: boolean): Promise<void> {
    await this.run('budgetSync', [this.keys(accountId, '', keyId)[3]], [windowId, spentNano.toString(), init ? '1' : '0']);
  }

  /** The window a key's budget cache is in, if it has one. */
  budgetWindowOf(accountId: string, keyId: string): Promise<string | null> {
    return this.redis.hget(this.keys(accountId, '', keyId)[3], 'period');
  }

  async sync(s: BalanceSnapshot): Promise<void> {
    await this.run('sync', [this.keys(s.accountId, '', '')[0]], [s.balanceNano.toString(), s.creditLimitNano.toString(), s.version.toString()]);
  }

  /** Holds whose time ran out (their owner never settled or released them). */
  async expiredHolds(limit = 500): Promise<{ accountId: string; requestId: string; keyId: string }[]> {
    const now = await this.redis.time();
    const nowMs = Number(now[0]) * 1000 + Math.floor(Number(now[1]) / 1000);
    const members = await this.redis.zrangebyscore(this.keys('', '', '')[2], 0, nowMs, 'LIMIT', 0, limit);
    return members.map(parseHoldMember);
  }

  async held(accountId: string): Promise<bigint> {
    return BigInt((await this.redis.hget(this.keys(accountId, '', '')[0], 'held')) ?? '0');
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
