import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { childSpan, formatTraceparent, parseTraceparent } from './trace-context';

describe('trace context', () => {
  it('round-trips a valid traceparent and keeps the trace id in children', () => {
    const header = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const parsed = parseTraceparent(header);
    assert.ok(parsed);
    assert.equal(formatTraceparent(parsed), header);
    const child = childSpan(parsed);
    assert.equal(child.traceId, parsed.traceId);
    assert.notEqual(child.spanId, parsed.spanId);
  });
  it('rejects malformed and all-zero ids and starts a new trace', () => {
    assert.equal(parseTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01'), null);
    assert.equal(parseTraceparent('garbage'), null);
    assert.match(formatTraceparent(childSpan(null)), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});
