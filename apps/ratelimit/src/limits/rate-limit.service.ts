import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { type RateLimitAcquireReply, type RateLimitAcquireRequest, TfError } from '@tokenflow/contracts';
import { Redis } from 'ioredis';
import { RATELIMIT_CONFIG, type RatelimitConfig } from '../config';
import { SLIDING_WINDOW_LUA, SLIDING_WINDOW_SHA } from './sliding-window.lua';

const WINDOW_MS = 60_000;

@Injectable()
export class RateLimitService implements OnApplicationShutdown {
  readonly redis: Redis;

  constructor(@Inject(RATELIMIT_CONFIG) private readonly config: RatelimitConfig) {
    this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, enableAutoPipelining: true });
  }

  async acquire(req: RateLimitAcquireRequest): Promise<RateLimitAcquireReply> {
    const limit = req.rpmLimit ?? this.config.DEFAULT_KEY_RPM;
    if (limit <= 0) return { limitRequests: 0, remainingRequests: 0, resetRequestsMs: 0 };
    const prefix = `tf:${this.config.TF_NAMESPACE}:rl:rpm:${req.keyId}`;
    const [allowed, remaining, retryAfterMs, resetMs] = (await this.eval(prefix, limit)) as number[];
    if (!allowed) {
      throw new TfError(
        'rate_limit_exceeded',
        `Rate limit reached for requests per minute (limit ${limit}). Try again in ${(retryAfterMs / 1000).toFixed(1)}s.`,
        { retryAfterMs },
      );
    }
    return { limitRequests: limit, remainingRequests: Math.max(0, remaining), resetRequestsMs: resetMs };
  }

  private async eval(prefix: string, limit: number): Promise<unknown> {
    try {
      return await this.redis.evalsha(SLIDING_WINDOW_SHA, 1, prefix, limit, WINDOW_MS);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err;
      return this.redis.eval(SLIDING_WINDOW_LUA, 1, prefix, limit, WINDOW_MS);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
