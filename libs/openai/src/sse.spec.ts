import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { SSE_DONE, type SseEvent, SseLimitError, SseParser, sseData } from './sse';

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

describe('SseParser', () => {
  const parse = (feeds: string[], opts: { maxLineChars?: number; maxEventChars?: number } = {}) => {
    const events: SseEvent[] = [];
    const parser = new SseParser({ onEvent: (e) => events.push(e), ...opts });
    for (const f of feeds) parser.feed(f);
    return { events, parser };
  };

  it('parses events split anywhere, with LF, CR and CRLF endings (a CRLF split across feeds included)', () => {
    const text = 'event: a\r\ndata: one\r\ndata:two\r\n\r\n: keep-alive\n\ndata: x\rdata: y\r\rid: 7\ndata: [DONE]\n\n';
    const whole = parse([text]).events;
    assert.deepEqual(whole, [{ event: 'a', data: 'one\ntwo' }, { data: 'x\ny' }, { data: '[DONE]', id: '7' }]);
    for (let cut = 1; cut < text.length; cut++) assert.deepEqual(parse([text.slice(0, cut), text.slice(cut)]).events, whole, `cut at ${cut}`);
    assert.deepEqual(parse(text.split('')).events, whole, 'one character per feed');
  });

  it('ignores an event without data and an unterminated one', () => {
    assert.deepEqual(parse(['event: ping\n\n', 'data: partial']).events, []);
  });

  it('refuses a line longer than its cap instead of buffering it, even when it arrives in small pieces', () => {
    const { parser } = parse([], { maxLineChars: 1_000 });
    parser.feed('data: ');
    assert.throws(() => {
      for (let i = 0; i < 100; i++) parser.feed('x'.repeat(100));
    }, (err: unknown) => err instanceof SseLimitError && err instanceof TfError && err.code === 'upstream_error');
    assert.ok(parser.buffered <= 1_000, `holds ${parser.buffered} characters`);
    // One feed that carries a too-long line whole is refused too.
    assert.throws(() => parse([`data: ${'y'.repeat(2_000)}\n\n`], { maxLineChars: 1_000 }), SseLimitError);
  });

  it('refuses an event whose data lines add up past its cap', () => {
    const lines = Array.from({ length: 50 }, () => `data: ${'z'.repeat(100)}\n`).join('');
    assert.throws(() => parse([lines], { maxLineChars: 1_000, maxEventChars: 2_000 }), (err: unknown) => err instanceof SseLimitError && /event/.test((err as Error).message));
    assert.equal(parse([lines + '\n'], { maxLineChars: 1_000, maxEventChars: 10_000 }).events.length, 1);
  });

  it('stays linear on a read of many CR-ended lines and no LF (the case that is quadratic in eventsource-parser)', () => {
    const text = 'data: a\r\r'.repeat(100_000);
    const started = performance.now();
    const { events } = parse([text]);
    assert.equal(events.length, 100_000);
    assert.ok(performance.now() - started < 1_000, `${performance.now() - started} ms`);
  });
});
