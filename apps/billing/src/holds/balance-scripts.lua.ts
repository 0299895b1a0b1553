import { createHash } from 'node:crypto';

/**
 * Atomic balance scripts. An account's cache is one hash `{a:<id>}:bal` (balance, credit, held, ver); a budgeted
 * key's is `{a:<id>}:kb:<keyId>` (period, spent, held); each open hold is `{a:<id>}:hold:<requestId>` holding
 * "<amount>|<1 if it counts against a key budget>". The `{a:<id>}` hash tag keeps an account on one Cluster slot.
 * Postgres stays the source of truth for balance and spend: snapshots are pushed here, applied only if newer,
 * so out-of-order pushes never roll a number back. `held` lives only here.
 */

/**
 * KEYS: bal, hold, expiry-zset, key-budget, abandoned[, unsettled]; ARGV: amount, ttl_ms, member, budget_limit
 * ('' = none), period[, unsettled_limit, unsettled_ttl_ms]. The unsettled pair is passed only while the ledger is
 * unreachable: the account's holds granted since then add up in `unsettled`, which may not pass the limit
 * (docs/decisions/0016).
 * → {1} granted | {0, available} account short | {2, remaining} key budget short | {-1} account cold | {-2} budget cold
 * | {-3} the request was abandoned (released before its hold arrived) | {-4, room} unsettled-spend limit reached.
 */
export const HOLD_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {1} end
if redis.call('EXISTS', KEYS[5]) == 1 then return {-3} end
local amount = tonumber(ARGV[1])
local b = redis.call('HMGET', KEYS[1], 'balance', 'credit', 'held')
local available = tonumber(b[1]) + tonumber(b[2]) - tonumber(b[3] or '0')
if available < amount then return {0, string.format('%.0f', available)} end
local budgeted = ARGV[4] ~= ''
if budgeted then
  local kb = redis.call('HMGET', KEYS[4], 'period', 'spent', 'held')
  if kb[1] ~= ARGV[5] then return {-2} end
  local remaining = tonumber(ARGV[4]) - tonumber(kb[2] or '0') - tonumber(kb[3] or '0')
  if remaining < amount then return {2, string.format('%.0f', remaining)} end
end
local limited = KEYS[6] ~= nil and ARGV[6] ~= nil and ARGV[6] ~= ''
if limited then
  local room = tonumber(ARGV[6]) - tonumber(redis.call('GET', KEYS[6]) or '0')
  if room < amount then return {-4, string.format('%.0f', room)} end
  redis.call('INCRBY', KEYS[6], ARGV[1])
  redis.call('PEXPIRE', KEYS[6], ARGV[7])
end
if budgeted then redis.call('HINCRBY', KEYS[4], 'held', ARGV[1]) end
redis.call('HINCRBY', KEYS[1], 'held', ARGV[1])
-- No TTL: only a release (settlement, ingress or the expiry sweep) may remove a hold, or its amount stays in
-- 'held' forever. ARGV[1] is stored verbatim: Lua's number-to-string loses digits past 1e14.
redis.call('SET', KEYS[2], ARGV[1] .. '|' .. (budgeted and '1' or '0'))
local t = redis.call('TIME')
redis.call('ZADD', KEYS[3], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[2]), ARGV[3])
return {1}
`;

/** KEYS: bal, hold, expiry-zset, key-budget; ARGV: member. Idempotent: a hold is released once. → released amount. */
export const RELEASE_LUA = `
local value = redis.call('GET', KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
if not value then return 0 end
redis.call('DEL', KEYS[2])
local sep = string.find(value, '|', 1, true)
local amount = string.sub(value, 1, sep - 1)
-- HINCRBY parses the decimal string itself (int64), so no precision is lost on the way back either.
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HINCRBY', KEYS[1], 'held', '-' .. amount) end
if string.sub(value, sep + 1) == '1' and redis.call('EXISTS', KEYS[4]) == 1 then redis.call('HINCRBY', KEYS[4], 'held', '-' .. amount) end
return amount
`;

/** KEYS: abandoned; ARGV: ttl_ms. Marks a request released before any hold of it was seen: a late hold is refused. */
export const ABANDON_LUA = `
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return 1
`;

/** KEYS: bal; ARGV: balance, credit, version. Applies a Postgres snapshot only if it is newer than the cached one. */
export const SYNC_LUA = `
local ver = tonumber(redis.call('HGET', KEYS[1], 'ver') or '-1')
if tonumber(ARGV[3]) <= ver then return 0 end
redis.call('HSET', KEYS[1], 'balance', ARGV[1], 'credit', ARGV[2], 'ver', ARGV[3])
if redis.call('HEXISTS', KEYS[1], 'held') == 0 then redis.call('HSET', KEYS[1], 'held', 0) end
return 1
`;

/**
 * KEYS: key-budget; ARGV: period, spent (from the ledger), init ('1' = create or roll over to this period).
 * Spend only grows inside a period, so the larger of cached and pushed wins.
 */
export const BUDGET_SYNC_LUA = `
local period = redis.call('HGET', KEYS[1], 'period')
if period ~= ARGV[1] then
  if ARGV[3] ~= '1' then return 0 end
  redis.call('HSET', KEYS[1], 'period', ARGV[1], 'spent', ARGV[2])
  if redis.call('HEXISTS', KEYS[1], 'held') == 0 then redis.call('HSET', KEYS[1], 'held', 0) end
  return 1
end
if tonumber(ARGV[2]) > tonumber(redis.call('HGET', KEYS[1], 'spent') or '0') then redis.call('HSET', KEYS[1], 'spent', ARGV[2]) end
return 1
`;

const sha = (s: string) => createHash('sha1').update(s).digest('hex');

/** Versioned by content: every script is called by its SHA and reloaded on NOSCRIPT (after a Redis restart). */
export const SCRIPTS = {
  hold: { lua: HOLD_LUA, sha: sha(HOLD_LUA) },
  release: { lua: RELEASE_LUA, sha: sha(RELEASE_LUA) },
  abandon: { lua: ABANDON_LUA, sha: sha(ABANDON_LUA) },
  sync: { lua: SYNC_LUA, sha: sha(SYNC_LUA) },
  budgetSync: { lua: BUDGET_SYNC_LUA, sha: sha(BUDGET_SYNC_LUA) },
} as const;
