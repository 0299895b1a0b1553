import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { SLIDING_WINDOW_LUA, SLIDING_WINDOW_SHA } from './sliding-window.lua';

describe('sliding-window Lua script', () => {
  it('is versioned by the SHA-1 of its exact text (what Redis EVALSHA expects)', () => {
    assert.match(SLIDING_WINDOW_SHA, /^[0-9a-f]{40}$/);
    assert.equal(SLIDING_WINDOW_SHA, createHash('sha1').update(SLIDING_WINDOW_LUA, 'utf8').digest('hex'));
  });

  it('uses the documented KEYS/ARGV contract and Redis time', () => {
    assert.match(SLIDING_WINDOW_LUA, /KEYS\[1\]/);
    assert.match(SLIDING_WINDOW_LUA, /ARGV\[1\]/);
    assert.match(SLIDING_WINDOW_LUA, /ARGV\[2\]/);
    assert.match(SLIDING_WINDOW_LUA, /redis\.call\('TIME'\)/);
  });
});
