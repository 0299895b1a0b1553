import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { OpenAiError } from '../http/openai-error';
import { parseChatRequest } from './chat-request';

function rejection(body: unknown): OpenAiError {
  try {
    parseChatRequest(body);
  } catch (err) {
    assert.ok(err instanceof OpenAiError);
    return err;
  }
  assert.fail('expected a 400');
}

describe('parseChatRequest', () => {
  it('accepts a minimal request and keeps fields it does not know', () => {
    const request = parseChatRequest({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], temperature: 0.2 });
    assert.equal(request.model, 'gpt-4o');
    assert.equal(request.temperature, 0.2);
  });

  it('rejects a body that is not a JSON object', () => {
    for (const body of [null, 'text', 42, [1, 2]]) {
      const err = rejection(body);
      assert.equal(err.status, 400);
      assert.equal(err.type, 'invalid_request_error');
    }
  });

  it('names a missing parameter', () => {
    const err = rejection({ model: 'gpt-4o' });
    assert.deepEqual([err.param, err.code], ['messages', 'missing_required_parameter']);
  });

  it('names the offending nested parameter', () => {
    assert.equal(rejection({ model: 'gpt-4o', messages: [{ role: 'user', content: 42 }] }).param, 'messages[0].content');
    assert.equal(rejection({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], n: 0 }).param, 'n');
    assert.equal(rejection({ model: 'gpt-4o', messages: [] }).param, 'messages');
  });

  it('rejects a tool_choice naming a tool that was not offered', () => {
    const err = rejection({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'x' }],
      tools: [{ type: 'function', function: { name: 'a' } }],
      tool_choice: { type: 'function', function: { name: 'b' } },
    });
    assert.equal(err.param, 'tool_choice');
  });
});
