import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { countPromptTokens, countToolCallTokens, messageText } from './token-counter';

describe('token counting', () => {
  it('counts 4 per message plus a quarter of the text (rounded up), plus 3 per request', () => {
    // 4 + ceil(5 / 4) = 6 and 4 + ceil(8 / 4) = 6, plus 3.
    assert.equal(countPromptTokens([{ role: 'system', content: 'brief' }, { role: 'user', content: '12345678' }]), 15);
  });

  it('counts text parts by their text and each image part as 85', () => {
    const content = [
      { type: 'text', text: 'What is ' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
      { type: 'text', text: 'this?' },
    ];
    assert.equal(messageText({ role: 'user', content }), 'What is this?');
    // 4 + ceil(13 / 4) + 85, plus 3.
    assert.equal(countPromptTokens([{ role: 'user', content }]), 96);
  });

  it('treats a message without content (an assistant tool call turn) as overhead only', () => {
    assert.equal(countPromptTokens([{ role: 'assistant', content: null }, { role: 'tool' }]), 11);
  });

  it('counts tool calls as a quarter of all argument characters plus 5 per call', () => {
    assert.equal(countToolCallTokens([{ arguments: '{"city":"mock"}' }, { arguments: '{}' }]), Math.ceil(17 / 4) + 10);
  });
});
