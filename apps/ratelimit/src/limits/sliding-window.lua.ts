import { createHash } from 'node:crypto';

/**
 * Sliding-window RPM counter (two fixed windows, the previous one weighted by how much of it still overlaps the
 * sliding window — Cloudflare's approximation). Runs atomically in Redis with Redis's own clock, so every
 * replica and every clock skew agree on the window.
 *
 * KEYS[1] = counter prefix; ARGV[1] = limit; ARGV[2] = window ms.
 * Returns {allowed (1|0), remaining, retry_after_ms, reset_ms}.
 */
export const SLIDING_WINDOW_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local current = math.floor(now / window)
local elapsed = now - current * window
local cur_key = KEYS[1] .. ':' .. current
local prev_key = KEYS[1] .. ':' .. (current - 1)
local cur = tonumber(redis.call('GET', cur_key) or '0')
local prev = tonumber(redis.call('GET', prev_key) or '0')
local weight = (window - elapsed) / window
local used = prev * weight + cur
if used + 1 > limit then
  local retry = window - elapsed
  if prev > 0 and cur < limit then
    retry = math.ceil(window * (1 - (limit - 1 - cur) / prev)) - elapsed
    if retry < 1 then retry = 1 end
  end
  return {0, 0, retry, window - elapsed}
end
redis.call('INCR', cur_key)
redis.call('PEXPIRE', cur_key, window * 2)
return {1, math.floor(limit - used - 1), 0, window - elapsed}
`;

/** Versioned by content: a rolling deploy with a changed script never runs the old one by mistake. */
export const SLIDING_WINDOW_SHA = createHash('sha1').update(SLIDING_WINDOW_LUA).digest('hex');
