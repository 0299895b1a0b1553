import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { Registry } from 'prom-client';
import { UpstreamMetrics, upstreamErrorKind } from './upstream-metrics';

describe('upstream metrics', () => {
  it('classes failures by what the adapter mapped them to', () => {
    const kind = (code: ConstructorParameters<typeof TfError>[0], reached = true) => upstreamErrorKind(new TfError(code, 'x'), reached);
    assert.equal(kind('upstream_timeout'), 'timeout');
    assert.equal(upstreamErrorKind('deadline', false), 'timeout');
    assert.equal(kind('upstream_error', false), 'connect');
    assert.equal(kind('upstream_error', true), 'server');
    assert.equal(kind('rate_limit_exceeded'), 'rate_limit');
    assert.equal(kind('upstream_auth_error'), 'auth');
    assert.equal(kind('upstream_quota_error'), 'quota');
    assert.equal(kind('invalid_request'), 'bad_request');
    assert.equal(kind('context_length_exceeded'), 'bad_request');
    assert.equal(kind('internal_error'), 'other');
  });

  it('observes each attempt that called the upstream, and counts its failure by provider and kind', async () => {
    const registry = new Registry();
    const m = new UpstreamMetrics(registry);
    const sent = Date.now() - 250;
    m.attemptEnded('deepseek', 'deepseek-v3', sent, null, true);
    m.attemptEnded('deepseek', 'deepseek-v3', sent, new TfError('upstream_error', 'x'), true);
    m.attemptEnded('openai', 'gpt-4o', sent, new TfError('upstream_error', 'x'), false);
    m.attemptEnded('openai', 'gpt-4o', sent, 'cancelled', true);
    // Never sent (key lookup failed): not the upstream's.
    m.attemptEnded('openai', 'gpt-4o', 0, new TfError('service_unavailable', 'x'), false);
    const text = await registry.metrics();
    assert.match(text, /^tokenflow_upstream_duration_seconds_count\{provider="deepseek",model="deepseek-v3",outcome="ok"\} 1$/m);
    assert.match(text, /^tokenflow_upstream_duration_seconds_count\{provider="deepseek",model="deepseek-v3",outcome="error"\} 1$/m);
    assert.match(text, /^tokenflow_upstream_duration_seconds_count\{provider="openai",model="gpt-4o",outcome="cancelled"\} 1$/m);
    assert.match(text, /^tokenflow_upstream_duration_seconds_bucket\{le="0.1",provider="deepseek",model="deepseek-v3",outcome="ok"\} 0$/m);
    assert.match(text, /^tokenflow_upstream_errors_total\{provider="deepseek",kind="server"\} 1$/m);
    assert.match(text, /^tokenflow_upstream_errors_total\{provider="openai",kind="connect"\} 1$/m);
    assert.doesNotMatch(text, /kind="other"/);
  });
});
