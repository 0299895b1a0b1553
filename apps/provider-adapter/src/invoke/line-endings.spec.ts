import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { LineEndingNormalizer } from './line-endings';

const through = (...reads: string[]) => {
  const n = new LineEndingNormalizer();
  return reads.map((r) => n.push(r)).join('');
};

describe('LineEndingNormalizer', () => {
  it('turns CR and CRLF into LF and leaves LF alone', () => {
    assert.equal(through('data: a\r\n\r\ndata: b\r\rdata: c\n\n'), 'data: a\n\ndata: b\n\ndata: c\n\n');
  });

  it('joins a CRLF split across reads into one line ending, empty reads included', () => {
    assert.equal(through('data: a\r', '\n\r', '', '\ndata: b\r', 'x'), 'data: a\n\ndata: b\nx');
    assert.equal(through('a\r', '\r', '\n'), 'a\n\n');
    assert.equal(through('a\n', '\n'), 'a\n\n');
  });
});
