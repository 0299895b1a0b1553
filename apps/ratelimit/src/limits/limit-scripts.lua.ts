import { createHash } from 'node:crypto';

/**
 * The limiter's atomic scripts. Every key one request touches shares the hash tag `{a:<accountId>}`, so a script
 * runs on one Redis Cluster slot. Time is Redis's own (`TIME`), so replicas with skewed clocks agree.
 *
 * Bucket kinds, one Redis key each:
 * - `r` requests per minute: a sliding log (sorted set of request ids scored by admission time). Exact: no 60 s
 *   window ever holds more than the limit.
 * - `t` tokens per minute: a token bucket (hash: tokens, ts, cap) refilled continuously at cap/60 s. Admission
 *   reserves the estimate; the usage event gives back the difference (or takes the excess).
 * - `c` concurrency: a sorted set of request ids scored by lease expiry, so a holder that crashed frees its slot.
 *
 * Semantics are versioned twice: the scripts by SHA (EVALSHA, reloaded on NOSCRIPT), and the key names by
 * `rl:v1`, so a rolling deploy that changes semantics gives the new scripts their own keys instead of reading the
 * old ones' state a different way.
 */
export const KEY_VERSION = 'rl:v1';
export const WINDOW_MS = 60_000;

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** Refills a token bucket to `now`; returns tokens, cap (cap 0 = no bucket yet). */
const REFILL = `
local function refill(key, now, cap_arg)
  local b = redis.call('HMGET', key, 'tokens', 'ts', 'cap')
  local cap = cap_arg or tonumber(b[3] or '0')
  if b[1] == false then return cap, cap end
  local tokens = tonumber(b[1]) + (now - tonumber(b[2])) * cap / ${WINDOW_MS}
  if tokens > cap then tokens = cap end
  return tokens, cap
end
local function store(key, now, tokens, cap)
  redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', now, 'cap', cap)
  -- Idle until full again, the bucket is the same as no bucket: let it go then.
  redis.call('PEXPIRE', key, math.ceil((cap - tokens) * ${WINDOW_MS} / cap) + 1000)
end
`;

/**
 * KEYS: reservation, then one key per bucket. ARGV: request id, estimated tokens, lease ms, then kind and limit
 * per bucket. Checks every bucket, then takes from all or none.
 * → {1, req_limit, req_remaining, req_reset_ms, tok_limit, tok_remaining, tok_reset_ms}
 *   {0, denied_bucket (1-based), retry_ms (-1 = never: larger than the limit), same six}
 * A denial names the bucket that frees last (retrying sooner would only be refused by it again), or one the
 * request can never fit in. The six header values describe the state after the request if granted, else as it is.
 */
export const ACQUIRE_LUA = `-- tokenflow ratelimit acquire v1
${NOW}${REFILL}
local id, est, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local n = #KEYS - 1
local deny, retry = 0, 0
local seen = {}
for i = 1, n do
  local key, kind, limit = KEYS[i + 1], ARGV[2 + 2 * i], tonumber(ARGV[3 + 2 * i])
  local wait = 0
  if kind == 'r' then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - ${WINDOW_MS})
    local count = redis.call('ZCARD', key)
    if redis.call('ZSCORE', key, id) then count = count - 1 end
    if count >= limit then
      local oldest = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
      wait = tonumber(oldest[2]) + ${WINDOW_MS} - now
    end
    local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
    seen[i] = {count, newest[2] and tonumber(newest[2]) or nil}
  elseif kind == 't' then
    local tokens = refill(key, now, limit)
    seen[i] = tokens
    if est > limit then wait = -1
    elseif tokens < est then wait = math.ceil((est - tokens) * ${WINDOW_MS} / limit) end
  else
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
    local count = redis.call('ZCARD', key)
    if redis.call('ZSCORE', key, id) then count = count - 1 end
    if count >= limit then
      local next_free = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
      -- Slots usually free when a request ends, long before its lease does: suggest a short wait.
      wait = math.min(1000, tonumber(next_free[2]) - now)
    end
  end
  if wait < 0 then
    if retry >= 0 then deny, retry = i, -1 end
  elseif wait > 0 and retry >= 0 and wait > retry then
    deny, retry = i, wait
  end
end
local granted = deny == 0
local req = {-1, -1, 0}
local tok = {-1, -1, 0}
-- Headers show the tightest limit of each dimension: the one with the fewest remaining.
local function track(dim, limit, remaining, reset)
  if dim[1] < 0 or remaining < dim[2] then dim[1], dim[2], dim[3] = limit, remaining, reset end
end
for i = 1, n do
  local kind, limit = ARGV[2 + 2 * i], tonumber(ARGV[3 + 2 * i])
  if kind == 'r' then
    local count, newest = seen[i][1], seen[i][2]
    if granted then count, newest = count + 1, now end
    -- Back to the full limit once the newest admission leaves the window.
    track(req, limit, math.max(0, limit - count), newest and (newest + ${WINDOW_MS} - now) or 0)
  elseif kind == 't' then
    local left = seen[i]
    if granted then left = left - est end
    left = math.max(0, left)
    track(tok, limit, math.floor(left), math.ceil((limit - left) * ${WINDOW_MS} / limit))
  end
end
if not granted then return {0, deny, retry, req[1], req[2], req[3], tok[1], tok[2], tok[3]} end
local tkeys, ckeys = {}, {}
for i = 1, n do
  local key, kind, limit = KEYS[i + 1], ARGV[2 + 2 * i], tonumber(ARGV[3 + 2 * i])
  if kind == 'r' then
    redis.call('ZADD', key, now, id)
    redis.call('PEXPIRE', key, ${WINDOW_MS})
  elseif kind == 't' then
    store(key, now, seen[i] - est, limit)
    tkeys[#tkeys + 1] = key
  else
    redis.call('ZADD', key, now + lease, id)
    -- Never shorten the set's life below a longer lease another request holds in it.
    if redis.call('PTTL', key) < lease then redis.call('PEXPIRE', key, lease) end
    ckeys[#ckeys + 1] = key
  end
end
-- What release and the usage correction need: the estimate and the buckets it was taken from (JSON lists:
-- model ids, and so key names, may hold any character).
local function list(t) if #t == 0 then return '' end return cjson.encode(t) end
redis.call('HSET', KEYS[1], 'est', est, 'tok', list(tkeys), 'conc', list(ckeys))
redis.call('PEXPIRE', KEYS[1], lease + ${WINDOW_MS})
return {1, req[1], req[2], req[3], tok[1], tok[2], tok[3]}
`;

/**
 * KEYS: reservation, token buckets, concurrency sets. ARGV: request id, event id, actual tokens (-1 = refund the
 * whole estimate: no usage will come), number of token buckets. Idempotent per event id.
 * Concurrency sets are given only by release, token buckets only when tokens are to be corrected.
 */
export const SETTLE_LUA = `-- tokenflow ratelimit settle v1
${NOW}${REFILL}
local id, event, actual, ntok = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
for i = 2 + ntok, #KEYS do redis.call('ZREM', KEYS[i], id) end
-- Expired meanwhile: correcting now would recreate the reservation without a TTL.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ntok == 0 or redis.call('HSETNX', KEYS[1], 'ev:' .. event, 1) == 0 then return 0 end
-- The estimate is given back once, by the first correction; later attempts' usage is only taken.
local est = 0
if redis.call('HSETNX', KEYS[1], 'settled', 1) == 1 then est = tonumber(redis.call('HGET', KEYS[1], 'est') or '0') end
local delta = est
if actual >= 0 then delta = est - actual end
for i = 2, 1 + ntok do
  local tokens, cap = refill(KEYS[i], now, nil)
  if cap > 0 then
    tokens = tokens + delta
    if tokens > cap then tokens = cap end
    store(KEYS[i], now, tokens, cap)
  end
end
return 1
`;

const sha = (s: string) => createHash('sha1').update(s).digest('hex');

export const SCRIPTS = {
  acquire: { lua: ACQUIRE_LUA, sha: sha(ACQUIRE_LUA) },
  settle: { lua: SETTLE_LUA, sha: sha(SETTLE_LUA) },
} as const;
export type ScriptName = keyof typeof SCRIPTS;
