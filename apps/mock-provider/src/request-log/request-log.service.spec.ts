import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { maskHeaders, REQUEST_LOG_CAPACITY, RequestLogService } from './request-log.service';

const request = (model: string, headers: Record<string, string> = {}) =>
  ({ url: '/v1/chat/completions', headers, body: { model, messages: [] } }) as unknown as FastifyRequest;

describe('RequestLogService', () => {
  it('keeps the newest requests last, up to its capacity', () => {
    const log = new RequestLogService();
    for (let i = 0; i < REQUEST_LOG_CAPACITY + 5; i++) log.record(request(`m${i}`));
    const entries = log.list();
    assert.equal(entries.length, REQUEST_LOG_CAPACITY);
    assert.equal(entries[0].model, 'm5');
    assert.equal(entries.at(-1)!.model, `m${REQUEST_LOG_CAPACITY + 4}`);
    log.clear();
    assert.equal(log.list().length, 0);
  });

  it('masks credentials except their last 4 characters and leaves other headers alone', () => {
    const masked = maskHeaders({ authorization: 'Bearer sk-mock-demo1234', 'x-api-key': 'abcdefgh', 'content-type': 'application/json' });
    assert.deepEqual(masked, { authorization: 'Bearer ***1234', 'x-api-key': '***efgh', 'content-type': 'application/json' });
  });
});
