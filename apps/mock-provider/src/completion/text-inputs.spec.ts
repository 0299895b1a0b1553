import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { textInputs } from './text-inputs';

describe('textInputs', () => {
  it('counts a quarter of the characters per text, rounded up, and 0 for an empty string', () => {
    assert.deepEqual(textInputs('hello'), [{ seed: 'hello', tokens: 2 }]);
    assert.deepEqual(
      textInputs(['abcd', '']).map((i) => i.tokens),
      [1, 0],
    );
  });

  it('counts token arrays by their length, one input per array', () => {
    assert.deepEqual(textInputs([1, 2, 3]), [{ seed: '[1,2,3]', tokens: 3 }]);
    assert.deepEqual(
      textInputs([[1], [2, 3]]).map((i) => i.tokens),
      [1, 2],
    );
  });
});
