import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from '@tokenflow/observability';
import { writeRequestLine } from './request-log-line.listener';
import { requestLogged } from '@tokenflow/testing';

const summary = requestLogged;

function captured(level: 'info' | 'warn') {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { log: createLogger('ingress.request', level, stream), lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('the request log line', () => {
  it('writes one info line per /v1 request: ids (never the key), models, provider, status, timings, tokens, cost', () => {
    const { log, lines } = captured('info');
    writeRequestLine(log, summary({ costNano: '10080' }));
    writeRequestLine(log, summary({ id: 'req_2', servedModel: null, provider: null, status: 429, errorCode: 'rate_limit_exceeded', ttftMs: null, costNano: null }));
    writeRequestLine(log, summary({ path: '/healthz', endpoint: null }));
    writeRequestLine(log, summary({ path: '/admin/v1/accounts', endpoint: null }));
    const [ok, refused, ...rest] = lines();
    assert.equal(rest.length, 0);
    assert.equal(ok.level, 30);
    assert.equal(ok.msg, 'request');
    assert.equal(ok.service, 'ingress.request');
    assert.deepEqual(
      [ok.requestId, ok.traceId, ok.keyId, ok.accountId, ok.model, ok.requestedModel, ok.servedModel, ok.provider, ok.status, ok.errorCode, ok.latencyMs, ok.ttftMs, ok.costUsd],
      ['req_1', '0af7651916cd43dd8448eb211c80319c', 'key_1', 'acct_1', 'deepseek-v3', 'auto', 'deepseek-v3', 'deepseek', 200, null, 1500, 250, '0.00001008'],
    );
    assert.deepEqual(ok.tokens, { input: 12, output: 30, reasoning: null, cached: null });
    assert.deepEqual([refused.model, refused.status, refused.errorCode, refused.costUsd], ['auto', 429, 'rate_limit_exceeded', null]);
  });

  it('writes nothing below its LOG_LEVEL', () => {
    const { log, lines } = captured('warn');
    writeRequestLine(log, summary());
    assert.equal(lines().length, 0);
  });
});
