import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { RequestEnd } from './request-end';
import { endpointOf, ModelLabels, RequestMetrics } from './request-metrics.listener';
import { requestLogged } from '@tokenflow/testing';

const summary = requestLogged;

describe('RequestMetrics', () => {
  it('records a served request: count, duration, time to first token, tokens in and out, cost in USD', async () => {
    const registry = new Registry();
    const m = new RequestMetrics(new RequestEnd(), registry);
    m.record(summary());
    m.record(summary({ stream: false, costNano: '1000000000' }));
    const text = await registry.metrics();
    const labels = 'endpoint="chat",model="deepseek-v3",provider="deepseek"';
    assert.match(text, new RegExp(`^tokenflow_requests_total\\{${labels},status="200"\\} 2$`, 'm'));
    assert.match(text, new RegExp(`^tokenflow_request_duration_seconds_sum\\{${labels},status="200"\\} 3$`, 'm'));
    assert.match(text, new RegExp(`^tokenflow_time_to_first_token_seconds_sum\\{${labels}\\} 0.5$`, 'm'));
    assert.match(text, /^tokenflow_tokens_total\{model="deepseek-v3",provider="deepseek",direction="input"\} 24$/m);
    assert.match(text, /^tokenflow_tokens_total\{model="deepseek-v3",provider="deepseek",direction="output"\} 60$/m);
    assert.match(text, /^tokenflow_cost_usd_total\{model="deepseek-v3",provider="deepseek"\} 1.00001008$/m);
  });

  it('counts refusals under the requested model (else none) and provider none, without a first token; leaves non-API routes out', async () => {
    const registry = new Registry();
    const end = new RequestEnd();
    const m = new RequestMetrics(end, registry);
    m.onModuleInit();
    const refused = { servedModel: null, provider: null, channelId: null, ttftMs: null, inputTokens: null, outputTokens: null, costNano: null };
    m.record(summary({ ...refused, requestedModel: 'deepseek-v3', status: 429, errorCode: 'rate_limit_exceeded' }));
    // Refused before the gateway (no key): the endpoint from the route, no model.
    m.record(summary({ ...refused, endpoint: null, requestedModel: null, status: 401, errorCode: 'invalid_api_key' }));
    m.record(summary({ ...refused, endpoint: null, path: '/admin/v1/accounts', requestedModel: null }));
    m.record(summary({ ...refused, endpoint: null, path: '/healthz', requestedModel: null }));
    const text = await registry.metrics();
    assert.match(text, /^tokenflow_requests_total\{endpoint="chat",model="deepseek-v3",provider="none",status="429"\} 1$/m);
    assert.match(text, /^tokenflow_requests_total\{endpoint="chat",model="none",provider="none",status="401"\} 1$/m);
    assert.equal(text.match(/^tokenflow_requests_total\{/gm)?.length, 2);
    assert.doesNotMatch(text, /^tokenflow_time_to_first_token_seconds_count\{/m);
    assert.doesNotMatch(text, /^tokenflow_cost_usd_total\{/m);
  });

  it('maps the API routes to endpoints, /v1/messages as chat', () => {
    assert.equal(endpointOf({ endpoint: null, path: '/v1/messages' }), 'chat');
    assert.equal(endpointOf({ endpoint: null, path: '/v1/embeddings' }), 'embeddings');
    assert.equal(endpointOf({ endpoint: 'completions', path: '/v1/completions' }), 'completions');
    assert.equal(endpointOf({ endpoint: null, path: '/v1/models' }), null);
  });

  it('bounds the model names a caller can create series with', () => {
    const labels = new ModelLabels(2);
    const asked = (requestedModel: string, errorCode: string | null = 'service_unavailable') => labels.of({ servedModel: null, requestedModel, errorCode });
    assert.equal(labels.of({ servedModel: 'gpt-4o', requestedModel: 'auto', errorCode: null }), 'gpt-4o');
    assert.equal(asked('no-such-model', 'model_not_found'), 'unknown');
    assert.equal(asked('a'), 'a');
    assert.equal(asked('b'), 'b');
    assert.equal(asked('c'), 'other');
    assert.equal(asked('a'), 'a');
    // A model that was served keeps its name whatever the cap.
    assert.equal(asked('gpt-4o'), 'gpt-4o');
  });
});
