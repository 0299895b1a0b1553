import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DirectiveParserService } from './directive-parser.service';
import { FailureScriptService, SCRIPT_CAPACITY } from './failure-script.service';

const parser = new DirectiveParserService();
const service = (seed = 1) => new FailureScriptService(parser, { ttftMs: 0, tps: 0, seed });
/** What `n` successive requests with `model` from `caller` get: the failure kind, or `ok`. */
const outcomes = (scripts: FailureScriptService, model: string, n: number, caller = 'sk-a'): string[] =>
  Array.from({ length: n }, () => scripts.settle(model, parser.parse(model).directives, caller).fail ?? 'ok');
const share = (results: string[], outcome: string) => results.filter((r) => r === outcome).length / results.length;

describe('FailureScriptService', () => {
  it('leaves `fail=` alone: it fails every request, as before', () => {
    const scripts = service();
    assert.deepEqual(outcomes(scripts, 'gpt-4o+fail=429', 5), Array(5).fill('429'));
    assert.deepEqual(outcomes(scripts, 'gpt-4o', 3), ['ok', 'ok', 'ok']);
  });

  it('fails about fail-rate percent of requests with the fail= kind, 500 by default', () => {
    const results = outcomes(service(), 'deepseek-chat+fail-rate=20', 10_000);
    assert.ok(Math.abs(share(results, '500') - 0.2) < 0.02, `500s: ${share(results, '500')}`);
    assert.equal(share(results, '500') + share(results, 'ok'), 1);

    const overloaded = outcomes(service(), 'qwen-max+fail-rate=35+fail=overloaded', 10_000);
    assert.ok(Math.abs(share(overloaded, 'overloaded') - 0.35) < 0.02, `overloaded: ${share(overloaded, 'overloaded')}`);
    assert.equal(share(overloaded, 'overloaded') + share(overloaded, 'ok'), 1);
  });

  it('never fails at fail-rate=0 and always at fail-rate=100', () => {
    assert.deepEqual(outcomes(service(), 'm+fail-rate=0+fail=429', 200), Array(200).fill('ok'));
    assert.deepEqual(outcomes(service(), 'm+fail-rate=100', 200), Array(200).fill('500'));
  });

  it('replays the same failures for the same seed, key and model, and others for another seed', () => {
    const model = 'glm-4-plus+fail-rate=50';
    const run = outcomes(service(7), model, 64);
    assert.deepEqual(outcomes(service(7), model, 64), run);
    assert.notDeepEqual(outcomes(service(8), model, 64), run);
    // Reset restarts the script from the seed.
    const scripts = service(7);
    outcomes(scripts, model, 10);
    scripts.clear();
    assert.deepEqual(outcomes(scripts, model, 64), run);
  });

  it('draws a script independently of interleaved traffic on other scripts', () => {
    const alone = outcomes(service(), 'a+fail-rate=50', 32);
    const scripts = service();
    const interleaved: string[] = [];
    for (let i = 0; i < 32; i++) {
      outcomes(scripts, 'b+fail-rate=50', 3);
      interleaved.push(...outcomes(scripts, 'a+fail-rate=50', 1));
    }
    assert.deepEqual(interleaved, alone);
  });

  it('fails the first n requests of each API key and exact model string, then lets them through', () => {
    const scripts = service();
    const model = 'deepseek-chat+fail-first=2+fail=429';
    assert.deepEqual(outcomes(scripts, model, 4, 'sk-a'), ['429', '429', 'ok', 'ok']);
    assert.deepEqual(outcomes(scripts, model, 3, 'sk-b'), ['429', '429', 'ok']);
    assert.deepEqual(outcomes(scripts, model, 1, 'sk-a'), ['ok']);
    // Another spelling of the model is another script; the default kind is 500.
    assert.deepEqual(outcomes(scripts, 'deepseek-chat+fail-first=2', 3, 'sk-a'), ['500', '500', 'ok']);
    assert.deepEqual(outcomes(scripts, 'deepseek-chat+fail-first=0', 1, 'sk-a'), ['ok']);
    scripts.clear();
    assert.deepEqual(outcomes(scripts, model, 3, 'sk-a'), ['429', '429', 'ok']);
  });

  it('keeps at most SCRIPT_CAPACITY scripts, forgetting the least recently used', () => {
    const scripts = service();
    const model = 'm+fail-first=1';
    assert.deepEqual(outcomes(scripts, model, 2, 'first'), ['500', 'ok']);
    for (let i = 0; i < SCRIPT_CAPACITY; i++) outcomes(scripts, model, 1, `key-${i}`);
    // Evicted: it starts over.
    assert.deepEqual(outcomes(scripts, model, 1, 'first'), ['500']);
  });

  it('tells callers apart by bearer token, x-api-key, or a JWT api_key claim', () => {
    const scripts = service();
    const model = 'glm-4-plus+fail-first=1';
    const jwt = (timestamp: number) =>
      ['{"alg":"HS256"}', JSON.stringify({ api_key: 'id1', timestamp }), 'sig'].map((p, i) => (i < 2 ? Buffer.from(p).toString('base64url') : p)).join('.');
    const fail = (headers: Record<string, string>) => scripts.scriptFor(model, headers).directives.fail ?? 'ok';
    assert.equal(fail({ authorization: `Bearer ${jwt(1)}` }), '500');
    // Re-signed token, same key id: the same caller.
    assert.equal(fail({ authorization: `Bearer ${jwt(2)}` }), 'ok');
    assert.equal(fail({ 'x-api-key': 'sk-ant-1' }), '500');
    assert.equal(fail({ 'x-api-key': 'sk-ant-1' }), 'ok');
    assert.equal(fail({ authorization: 'Bearer sk-ant-1' }), 'ok');
    assert.equal(scripts.scriptFor(model, {}).base, 'glm-4-plus');
  });
});
