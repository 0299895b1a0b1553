import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RATELIMIT_CONFIG, type RatelimitConfig } from '../config';
import { type ScriptName, SCRIPTS } from './limit-scripts.lua';

/** Redis side of the limiter: runs the scripts by SHA, and never waits longer than the configured timeout. */
@Injectable()
export class LimiterStore implements OnApplicationShutdown {
  readonly redis: Redis;

  constructor(@Inject(RATELIMIT_CONFIG) config: RatelimitConfig) {
    this.redis = new Redis(config.REDIS_URL, {
      enableAutoPipelining: true,
      // Fail fast instead of queueing while Redis is away: the fail mode decides, not a growing backlog.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: config.RATELIMIT_REDIS_TIMEOUT_MS,
      connectTimeout: Math.max(1_000, config.RATELIMIT_REDIS_TIMEOUT_MS),
    });
    // Connection errors surface on each call; without a listener ioredis would also print them unhandled.
    this.redis.on('error', () => undefined);
  }

  async run(name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown> {
    const s = SCRIPTS[name];
    try {
      return await this.redis.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err;
      return this.redis.eval(s.lua, keys.length, ...keys, ...args);
    }
  }

  reservation(key: string): Promise<Record<string, string>> {
    return this.redis.hgetall(key);
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
