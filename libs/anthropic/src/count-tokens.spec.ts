import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { countTokens as tokenize } from 'gpt-tokenizer';
import { IMAGE_TOKENS } from '@tokenflow/openai';
import { countTokens } from './count-tokens';
import { validateCountTokensRequest } from './messages-request.validate';

const count = (body: unknown) => countTokens(validateCountTokensRequest(body)).input_tokens;
const base = { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hello there' }] };

describe('countTokens', () => {
  it('counts system and turns with the chat framing (3 per request, 4 per message)', () => {
    assert.deepEqual(countTokens(validateCountTokensRequest(base)), { input_tokens: 3 + 4 + tokenize('Hello there') });
    assert.equal(count({ ...base, system: [{ type: 'text', text: 'Be brief.' }] }), 3 + 4 + tokenize('Be brief.') + 4 + tokenize('Hello there'));
  });

  it('counts tool definitions as the OpenAI tools they become', () => {
    const tools = [{ name: 'read_file', description: 'Read a file.', input_schema: { type: 'object', properties: { path: { type: 'string' } } } }];
    const openAiTools = [{ type: 'function', function: { name: 'read_file', description: 'Read a file.', parameters: tools[0].input_schema } }];
    assert.equal(count({ ...base, tools }) - count(base), tokenize(JSON.stringify(openAiTools)));
  });

  it('counts each image at the flat image rate, and tool calls and results', () => {
    const image = { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } };
    const withImage = { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello there' }, image, image] }] };
    // Parts' text is joined with newlines, images adding empty parts: hence the two newlines.
    assert.equal(count(withImage) - count(base), 2 * IMAGE_TOKENS + tokenize('Hello there\n\n') - tokenize('Hello there'));

    const turns = {
      ...base,
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: { a: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'ok' }] }] },
      ],
    };
    const toolCalls = [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }];
    assert.equal(count(turns), 3 + (4 + tokenize('go')) + (4 + tokenize(JSON.stringify(toolCalls))) + (4 + tokenize('ok')));
  });
});
