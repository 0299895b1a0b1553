import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { unsupportedContent } from './content-capabilities';

const textOnly = { image: false, audio: false, file: false };
const everything = { image: true, audio: true, file: true };
const image = { type: 'image_url', image_url: { url: 'https://example.com/a.png' } };
const audio = { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } };
const file = { type: 'file', file: { file_id: 'file-1' } };

describe('unsupportedContent', () => {
  const body = {
    model: 'auto',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Describe these.' }] },
      { role: 'user', content: [image, audio] },
      { role: 'user', content: [file] },
    ],
  };

  it('names the first part the model cannot take, with the model id', () => {
    const err = unsupportedContent(body, textOnly, 'deepseek-v3');
    assert.ok(err);
    assert.equal(err.status, 400);
    assert.equal(err.code, 'invalid_request');
    assert.equal(err.param, 'messages[2].content[0]');
    assert.equal(err.message, "The model 'deepseek-v3' does not support image_url content parts.");
  });

  it('checks each capability on its own', () => {
    assert.equal(unsupportedContent(body, { ...textOnly, image: true }, 'm')?.param, 'messages[2].content[1]');
    assert.equal(unsupportedContent(body, { ...textOnly, image: true }, 'm')?.message, "The model 'm' does not support input_audio content parts.");
    assert.equal(unsupportedContent(body, { ...everything, file: false }, 'm')?.param, 'messages[3].content[0]');
  });

  it('is null when the model takes every part, or the body has only text', () => {
    assert.equal(unsupportedContent(body, everything, 'gpt-4o'), null);
    assert.equal(unsupportedContent({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: [{ type: 'refusal', refusal: 'no' }] }] }, textOnly, 'm'), null);
    assert.equal(unsupportedContent({}, textOnly, 'm'), null);
  });
});
