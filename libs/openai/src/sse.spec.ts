import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { SSE_DONE, sseData } from './sse';

describe('sse', () => {
  it('frames a payload as one data line followed by a blank line', () => {
    assert.equal(sseData({ id: 'c1', choices: [] }), 'data: {"id":"c1","choices":[]}\n\n');
  });

  it('keeps newlines inside strings escaped, so an event never spans lines', () => {
    const frame = sseData({ content: 'line 1\nline 2\r\n\n' });
    assert.equal(frame.split('\n').length, 3); // "data: …", "", ""
    assert.ok(frame.startsWith('data: '));
    assert.ok(frame.endsWith('\n\n'));
    assert.deepEqual(JSON.parse(frame.slice('data: '.length, -2)), { content: 'line 1\nline 2\r\n\n' });
  });

  it('writes the OpenAI end-of-stream sentinel', () => {
    assert.equal(SSE_DONE, 'data: [DONE]\n\n');
  });
});
