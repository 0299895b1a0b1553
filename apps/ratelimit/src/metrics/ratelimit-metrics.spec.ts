import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import type { Bucket } from '../limits/buckets';
import { deniedLimit, RatelimitMetrics } from './ratelimit-metrics';

const buckets: Bucket[] = [
  { key: 'k:r', kind: 'r', limit: 1, label: 'requests per minute for this API key' },
  { key: 'k:t', kind: 't', limit: 100, label: 'tokens per minute for this API key' },
  { key: 'k:c', kind: 'c', limit: 2, label: 'concurrent requests for this API key' },
];
const hdr = [-1, -1, -1, -1, -1, -1];

describe('rate-limit denials', () => {
  it('names the limit that denied from the acquire script reply (denied bucket, 1-based)', () => {
    assert.equal(deniedLimit([1, ...hdr], buckets), null);
    assert.equal(deniedLimit([0, 1, 1500, ...hdr], buckets), 'rpm');
    assert.equal(deniedLimit([0, 2, -1, ...hdr], buckets), 'tpm');
    assert.equal(deniedLimit([0, 3, 10, ...hdr], buckets), 'concurrency');
    assert.equal(deniedLimit([0, 1, 10, ...hdr], buckets, true), 'upstream_rpm');
  });

  it('counts tokenflow_ratelimit_denials_total{limit}', async () => {
    const registry = new Registry();
    const m = new RatelimitMetrics(registry, undefined as never);
    m.observe([1, ...hdr], buckets);
    m.observe([0, 1, 1500, ...hdr], buckets);
    m.observe([0, 1, 1500, ...hdr], buckets);
    m.observe([0, 2, 10, ...hdr], buckets, true);
    const text = await registry.metrics();
    assert.match(text, /^tokenflow_ratelimit_denials_total\{limit="rpm"\} 2$/m);
    assert.match(text, /^tokenflow_ratelimit_denials_total\{limit="upstream_tpm"\} 1$/m);
  });
});
