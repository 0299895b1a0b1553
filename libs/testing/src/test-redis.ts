import { after, before } from 'node:test';
import { Redis } from 'ioredis';
import { testUrls } from './test-env';

/**
 * A connection to the real local Redis for one suite, opened before its tests and closed after them, with every
 * key under the suite's namespace (`tf:<ns>:*`) deleted. Call it inside `describe`; read the connection in tests.
 */
export function suiteRedis(ns: string): () => Redis {
  let redis: Redis | null = null;
  before(() => {
    redis = new Redis(testUrls.redis);
  });
  after(async () => {
    if (!redis) return;
    const keys = await redis.keys(`tf:${ns}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });
  return () => {
    if (!redis) throw new Error('suiteRedis: the connection opens in the suite’s before hook');
    return redis;
  };
}
