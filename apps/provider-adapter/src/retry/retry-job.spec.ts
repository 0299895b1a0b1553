import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { InvokeRequest } from '@tokenflow/contracts';
import { retryJobId, retryQueueName, toRetryJob } from './retry-job';

describe('retry jobs', () => {
  it('names one job per attempt, in a form BullMQ accepts', () => {
    assert.equal(retryJobId('req_abc', 2), 'retry-req_abc-2');
    assert.notEqual(retryJobId('req_abc', 2), retryJobId('req_abc', 3));
    assert.equal(retryJobId('chatcmpl:x:y', 1).includes(':'), false, 'BullMQ refuses `:` in custom ids');
    assert.equal(retryJobId('123', 1).includes(':'), false);
    assert.ok(Number.isNaN(Number(retryJobId('1', 1))), 'nor ids that read as integers');
  });

  it('keeps one queue per namespace without `:`', () => {
    assert.equal(retryQueueName(''), 'tf-default-adapter-retries');
    assert.equal(retryQueueName('t_x_1'), 'tf-t_x_1-adapter-retries');
  });

  it('holds the request without its delay, the absolute deadline and the trace fields', () => {
    const req = { requestId: 'r1', attemptNo: 2, inbox: '_INBOX.x', delayMs: 500 } as InvokeRequest;
    const job = toRetryJob(req, 1_700_000_000_000, { requestId: 'call-1', traceparent: '00-aa-bb-01', deadline: 1 });
    assert.deepEqual(job, { request: { requestId: 'r1', attemptNo: 2, inbox: '_INBOX.x' }, deadline: 1_700_000_000_000, trace: { requestId: 'call-1', traceparent: '00-aa-bb-01' } });
    assert.ok(!('delayMs' in job.request), 'running it must not schedule it again');
    assert.deepEqual(toRetryJob(req, 5, {}).trace, {});
  });
});
