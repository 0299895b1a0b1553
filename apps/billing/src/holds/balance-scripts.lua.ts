import { createHash } from 'node:crypto';

/**
 * Atomic balance scripts. Each account's cache is one hash `{a:<id>}:bal` (balance, credit, held, ver) plus one key
 * per open hold `{a:<id>}:hold:<requestId>`; the `{a:<id>}` hash tag keeps an account on one Redis Cluster slot.
 * Postgres stays the source of truth for `balance`: snapshots are pushed here with a version, applied only if
 * newer, so concurrent or out-of-order pushes can never roll a balance back. `held` lives only here.
 */

/** KEYS: bal, hold, expiry-zset; ARGV: amount, ttl_ms, member. → {1} granted | {0, available} denied | {-1} cold cache. */
export const HOLD_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {1} end
local amount = tonumber(ARGV[1])
local b = redis.call('HMGET', KEYS[1], 'balance', 'credit', 'held')
local available = tonumber(b[1]) + tonumber(b[2]) - tonumber(b[3] or '0')
if available < amount then return {0, tostring(available)} end
redis.call('HINCRBY', KEYS[1], 'held', amount)
-- The key outlives the hold's expiry so the sweep can still read the amount it must give back.
redis.call('SET', KEYS[2], amount, 'PX', tonumber(ARGV[2]) * 2 + 60000)
local t = redis.call('TIME')
redis.call('ZADD', KEYS[3], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[2]), ARGV[3])
return {1}
`;

/** KEYS: bal, hold, expiry-zset; ARGV: member. Idempotent: a hold is released once. → released amount. */
export const RELEASE_LUA = `
local amount = redis.call('GET', KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
if not amount then return 0 end
redis.call('DEL', KEYS[2])
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HINCRBY', KEYS[1], 'held', -tonumber(amount)) end
return tonumber(amount)
`;

/** KEYS: bal; ARGV: balance, credit, version. Applies a Postgres snapshot only if it is newer than the cached one. */
export const SYNC_LUA = `
local ver = tonumber(redis.call('HGET', KEYS[1], 'ver') or '-1')
if tonumber(ARGV[3]) <= ver then return 0 end
redis.call('HSET', KEYS[1], 'balance', ARGV[1], 'credit', ARGV[2], 'ver', ARGV[3])
if redis.call('HEXISTS', KEYS[1], 'held') == 0 then redis.call('HSET', KEYS[1], 'held', 0) end
return 1
`;

const sha = (s: string) => createHash('sha1').update(s).digest('hex');

/** Versioned by content: every script is called by its SHA and reloaded on NOSCRIPT (after a Redis restart). */
export const SCRIPTS = {
  hold: { lua: HOLD_LUA, sha: sha(HOLD_LUA) },
  release: { lua: RELEASE_LUA, sha: sha(RELEASE_LUA) },
  sync: { lua: SYNC_LUA, sha: sha(SYNC_LUA) },
} as const;
