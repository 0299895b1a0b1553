import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PlannedAttempt, TfError } from '@tokenflow/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type FinishedRequest, RequestEnd } from './request-end';
import { RequestTrail } from './request-trail';

const attempt = { channelId: 'ch_1', channelName: 'deepseek-main', provider: 'deepseek', keyRef: 'k1' } as unknown as PlannedAttempt;

function request(trail: RequestTrail | null, principal: { keyId: string; accountId: string } | null = { keyId: 'key_1', accountId: 'acct_1' }) {
  const req = { id: 'req_abc', method: 'POST', url: '/v1/chat/completions?x=1', routeOptions: { url: '/v1/chat/completions' }, trail, principal } as unknown as FastifyRequest;
  return req;
}
const reply = (statusCode: number) => ({ statusCode }) as FastifyReply;

describe('RequestEnd: one summary per finished request', () => {
  it('tells every listener who asked, who served, first byte, usage, cost and trace id', () => {
    const trail = new RequestTrail();
    trail.traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    trail.began('chat', 'auto', true);
    trail.served('deepseek-v3', attempt, 'cat=chat;gain=0.01', 'chat');
    trail.firstByte();
    trail.settled({ prompt_tokens: 12, completion_tokens: 30, total_tokens: 42, completion_tokens_details: { reasoning_tokens: 5 } }, 1234n);
    trail.attempts = 2;
    const end = new RequestEnd();
    const seen: FinishedRequest[] = [];
    end.on((done) => seen.push(done));
    end.on((done) => seen.push(done));
    end.finish(request(trail), reply(200));
    assert.equal(seen.length, 2);
    const s = seen[0].summary;
    assert.equal(s.id, 'req_abc');
    assert.equal(s.path, '/v1/chat/completions');
    assert.deepEqual(
      [s.accountId, s.keyId, s.endpoint, s.requestedModel, s.servedModel, s.provider, s.channelId, s.route, s.category, s.attempts, s.stream, s.status, s.errorCode],
      ['acct_1', 'key_1', 'chat', 'auto', 'deepseek-v3', 'deepseek', 'ch_1', 'cat=chat;gain=0.01', 'chat', 2, true, 200, null],
    );
    assert.deepEqual([s.inputTokens, s.outputTokens, s.reasoningTokens, s.cachedTokens, s.costNano], [12, 30, 5, null, '1234']);
    assert.equal(s.traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.ok(s.ttftMs !== null && s.ttftMs >= 0 && s.ttftMs <= s.latencyMs);
    assert.ok(!Number.isNaN(Date.parse(s.at)));
  });

  it('records a refusal: the error code, no key when there was none, no model, no usage', () => {
    const trail = new RequestTrail();
    trail.failed(new TfError('invalid_api_key', 'Incorrect API key provided.'));
    trail.failed(new TfError('internal_error', 'a later failure does not replace the one the client got'));
    const end = new RequestEnd();
    let summary: FinishedRequest['summary'] | undefined;
    end.on((done) => (summary = done.summary));
    end.finish(request(trail, null), reply(401));
    assert.deepEqual([summary?.status, summary?.errorCode, summary?.keyId, summary?.servedModel, summary?.costNano, summary?.ttftMs], [401, 'invalid_api_key', null, null, null, null]);
  });

  it('names a status-only failure (no TfError seen) by its status, and survives a request without a trail', () => {
    const end = new RequestEnd();
    let summary: FinishedRequest['summary'] | undefined;
    end.on((done) => (summary = done.summary));
    end.finish(request(null, null), reply(404));
    assert.equal(summary?.errorCode, 'http_404');
  });

  it('keeps calling the other listeners when one throws', () => {
    const end = new RequestEnd();
    let called = 0;
    end.on(() => {
      throw new Error('listener bug');
    });
    end.on(() => called++);
    end.finish(request(new RequestTrail()), reply(200));
    assert.equal(called, 1);
  });
});
