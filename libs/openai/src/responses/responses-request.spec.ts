import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { validate } from '../validate';
import { responsesRequestSchema } from './responses-request.schema';

function refused(body: Record<string, unknown>): TfError {
  try {
    validate(responsesRequestSchema, body);
  } catch (err) {
    assert.ok(err instanceof TfError);
    return err;
  }
  assert.fail('accepted');
}

describe('responsesRequestSchema', () => {
  it('takes every field the gateway serves', () => {
    const req = validate(responsesRequestSchema, {
      model: 'gpt-4o',
      instructions: 'Be brief.',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'hi' }, { type: 'input_image', image_url: 'data:image/png;base64,AA', detail: 'low' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'hello', annotations: [] }] },
        { type: 'reasoning', id: 'rs_1', summary: [] },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'ok' },
        { role: 'developer', content: 'dev' },
      ],
      max_output_tokens: 100,
      temperature: 0.5,
      top_p: 0.9,
      tools: [{ type: 'function', name: 'f', description: 'd', parameters: { type: 'object' }, strict: true }],
      tool_choice: { type: 'function', name: 'f' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_schema', name: 'x', schema: { type: 'object' }, strict: true } },
      reasoning: { effort: 'low', summary: 'auto' },
      metadata: { a: 'b' },
      store: false,
      previous_response_id: 'resp_1',
      stream: true,
      user: 'u',
      truncation: 'auto',
      service_tier: 'auto',
      include: ['reasoning.encrypted_content'],
    });
    assert.equal(req.model, 'gpt-4o');
  });

  it('refuses other tool types, file ids and misplaced parts naming the parameter', () => {
    assert.equal(refused({ model: 'm', input: 'hi', tools: [{ type: 'web_search_preview' }] }).param, 'tools[0].type');
    assert.equal(refused({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] }] }).param, 'input[0].content[0].file_id');
    assert.equal(refused({ model: 'm', input: [{ role: 'user', content: [{ type: 'output_text', text: 'x' }] }] }).param, 'input[0].content[0].type');
    assert.equal(refused({ model: 'm', input: 'hi', tool_choice: 'required' }).param, 'tool_choice');
    assert.equal(refused({ model: 'm', input: 'hi', include: ['nope'] }).param, 'include[0]');
    assert.equal(refused({ model: 'm' }).message, "Missing required parameter: 'input'.");
  });

  it('accepts tool results with image and file parts as OpenAI does; refuses what chat cannot carry, naming the part', () => {
    const out = (output: unknown) => ({ model: 'm', input: [{ type: 'function_call_output', call_id: 'c', output }] });
    validate(responsesRequestSchema, out([{ type: 'input_text', text: 'ok' }, { type: 'input_image', image_url: 'https://x/i.png' }]));
    assert.equal(refused(out([{ type: 'input_file', file_data: 'data:application/pdf;base64,AA', filename: 'a.pdf' }])).param, 'input[0].output[0].type');
    assert.equal(refused(out([{ type: 'input_image', file_id: 'file-1' }])).param, 'input[0].output[0].file_id');
    assert.equal(refused(out([{ type: 'input_image' }])).param, 'input[0].output[0].image_url');
  });

  it('caps the input before zod walks it', () => {
    const err = refused({ model: 'm', input: Array.from({ length: 2049 }, () => ({ role: 'user', content: 'x' })) });
    assert.equal(err.param, 'input');
    assert.match(err.message, /array too long/);
  });
});
