import type { Redis } from 'ioredis';

/**
 * Keys a replica sets and may later remove or extend only while they still hold the value it set (an outage's start,
 * a lock's token): a plain DEL after a TTL ran out, or after another replica replaced the value, would remove
 * someone else's key.
 */
const COMPARE_AND_DELETE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
const COMPARE_AND_PEXPIRE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
/** SET NX that answers with the value now in place, whoever set it. */
const SET_NX_GET_LUA = `redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])`;

/** Deletes `key` only if it still holds `value`; true when it did. */
export async function compareAndDelete(redis: Redis, key: string, value: string): Promise<boolean> {
  return Number(await redis.eval(COMPARE_AND_DELETE_LUA, 1, key, value)) === 1;
}

/** Extends `key` only if it still holds `value`; true when it did. */
export async function compareAndPexpire(redis: Redis, key: string, value: string, ttlMs: number): Promise<boolean> {
  return Number(await redis.eval(COMPARE_AND_PEXPIRE_LUA, 1, key, value, String(ttlMs))) === 1;
}

/** Sets `key` to `value` unless it has a value; returns the value it holds afterwards. */
export async function setNxGet(redis: Redis, key: string, value: string): Promise<string> {
  return String(await redis.eval(SET_NX_GET_LUA, 1, key, value));
}
