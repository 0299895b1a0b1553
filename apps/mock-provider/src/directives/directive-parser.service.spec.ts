import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DEFAULT_DIRECTIVES, DirectiveParserService, FAIL_MODES, isHttpFailure } from './directive-parser.service';

describe('DirectiveParserService', () => {
  const parser = new DirectiveParserService();

  it('returns the bare model with default directives when there is no suffix', () => {
    assert.deepEqual(parser.parse('gpt-4o'), { base: 'gpt-4o', directives: { ...DEFAULT_DIRECTIVES } });
  });

  it('reads pacing and length directives', () => {
    const { base, directives } = parser.parse('deepseek-chat+ttft=200+tps=50+tokens=7');
    assert.equal(base, 'deepseek-chat');
    assert.equal(directives.ttftMs, 200);
    assert.equal(directives.tps, 50);
    assert.equal(directives.tokens, 7);
  });

  it('reads failure directives with their parameters', () => {
    const { directives } = parser.parse('gpt-4o+fail=429+retry-after=2');
    assert.equal(directives.fail, '429');
    assert.equal(directives.retryAfterSeconds, 2);
    const cut = parser.parse('gpt-4o+fail=disconnect+fail-after=5').directives;
    assert.equal(cut.fail, 'disconnect');
    assert.equal(cut.failAfter, 5);
  });

  it('reads the failures every provider renders in its own format', () => {
    for (const mode of ['401', 'quota', 'context', 'overloaded', 'content-filter', 'stream-error']) {
      assert.equal(parser.parse(`m+fail=${mode}`).directives.fail, mode);
    }
    assert.deepEqual(
      FAIL_MODES.filter(isHttpFailure),
      ['500', '429', '400', '401', 'quota', 'context', 'overloaded', 'content-filter'],
    );
    // Failures of a started stream or of the connection have no status of their own.
    assert.ok(!['timeout', 'disconnect', 'malformed', 'stream-error', undefined].some((mode) => isHttpFailure(mode as never)));
  });

  it('reads scripted failure rates and counts, with the kind from fail=', () => {
    const { directives } = parser.parse('deepseek-chat+fail-rate=20+fail=overloaded');
    assert.equal(directives.failRate, 20);
    assert.equal(directives.fail, 'overloaded');
    assert.equal(parser.parse('m+fail-rate=0.5').directives.failRate, 0.5);
    assert.equal(parser.parse('m+fail-rate=100').directives.failRate, 100);
    assert.equal(parser.parse('m+fail-first=3').directives.failFirst, 3);
    for (const bad of ['fail-rate=101', 'fail-rate=-1', 'fail-rate=abc', 'fail-rate', 'fail-first=1.5', 'fail-first=-2']) {
      const { directives: ignored } = parser.parse(`m+${bad}`);
      assert.equal(ignored.failRate, undefined, bad);
      assert.equal(ignored.failFirst, undefined, bad);
    }
  });

  it('reads the cached prompt tokens', () => {
    assert.equal(parser.parse('m+cached=12').directives.cachedTokens, 12);
    assert.equal(parser.parse('m+cached=many').directives.cachedTokens, undefined);
  });

  it('reads usage suppression and the mid-stream stall', () => {
    const { directives } = parser.parse('gpt-4o+usage=none+chunk-delay=3000+stall-at=4');
    assert.equal(directives.suppressUsage, true);
    assert.equal(directives.chunkDelayMs, 3000);
    assert.equal(directives.stallAt, 4);
  });

  it('accepts a fractional tps but only whole numbers elsewhere', () => {
    assert.equal(parser.parse('m+tps=2.5').directives.tps, 2.5);
    assert.equal(parser.parse('m+tokens=2.5').directives.tokens, undefined);
  });

  it('ignores unknown directives, bad values and prototype keys', () => {
    const { base, directives } = parser.parse('gpt-4o+color=blue+fail=explode+ttft=-5+tokens=abc+__proto__=1+constructor');
    assert.equal(base, 'gpt-4o');
    assert.deepEqual(directives, { ...DEFAULT_DIRECTIVES });
  });

  it('lets a later directive override an earlier one', () => {
    assert.equal(parser.parse('m+tokens=3+tokens=9').directives.tokens, 9);
  });
});
