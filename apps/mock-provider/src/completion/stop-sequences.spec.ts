import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { cutAtStopSequence } from './stop-sequences';

const tokens = ['the ', 'quick ', 'answer ', 'is'];

describe('cutAtStopSequence', () => {
  it('is undefined when no stop sequence occurs, or none is given', () => {
    assert.equal(cutAtStopSequence(tokens, ['zebra']), undefined);
    assert.equal(cutAtStopSequence(tokens, []), undefined);
    assert.equal(cutAtStopSequence(tokens, ['']), undefined);
  });

  it('cuts at a token boundary and bills the tokens that spelled the sequence', () => {
    assert.deepEqual(cutAtStopSequence(tokens, ['answer']), { shown: ['the ', 'quick '], generated: 3, sequence: 'answer' });
  });

  it('keeps the part of a token before the sequence and bills up to where the sequence ends', () => {
    // "ick an" starts inside "quick " and ends inside "answer ".
    assert.deepEqual(cutAtStopSequence(tokens, ['ick an']), { shown: ['the ', 'qu'], generated: 3, sequence: 'ick an' });
  });

  it('stops at the earliest of several sequences', () => {
    assert.equal(cutAtStopSequence(tokens, ['is', 'quick'])?.sequence, 'quick');
  });

  it('shows nothing when the text starts with the sequence', () => {
    assert.deepEqual(cutAtStopSequence(tokens, ['the']), { shown: [], generated: 1, sequence: 'the' });
  });
});
