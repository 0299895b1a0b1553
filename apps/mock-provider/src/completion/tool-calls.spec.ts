import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { FunctionTool } from '../chat/chat-request';
import { chooseTools, mockArguments } from './tool-calls';

const tool = (name: string): FunctionTool => ({ type: 'function', function: { name, parameters: { type: 'object', properties: {} } } });
const names = (tools: FunctionTool[]) => tools.map((t) => t.function.name);

describe('mockArguments', () => {
  it('fills every property with the placeholder of its type', () => {
    const args = mockArguments({
      type: 'object',
      properties: {
        city: { type: 'string' },
        days: { type: 'integer' },
        ratio: { type: 'number' },
        metric: { type: 'boolean' },
        tags: { type: 'array', items: { type: 'string' } },
        extra: { type: 'object', properties: { a: { type: 'string' } } },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        note: { type: ['null', 'string'] },
      },
    });
    assert.deepEqual(args, { city: 'mock', days: 42, ratio: 42, metric: true, tags: [], extra: {}, unit: 'celsius', note: 'mock' });
  });

  it('returns an empty object without properties and null for a schema it cannot read', () => {
    assert.deepEqual(mockArguments(undefined), {});
    assert.deepEqual(mockArguments({ type: 'object' }), {});
    assert.deepEqual(mockArguments({ properties: { x: true, y: { type: 'date' } } }), { x: null, y: null });
  });

  it('gives each call its own array and object values', () => {
    const schema = { properties: { list: { type: 'array' } } };
    const first = mockArguments(schema);
    (first.list as unknown[]).push(1);
    assert.deepEqual(mockArguments(schema), { list: [] });
  });
});

describe('chooseTools', () => {
  const tools = [tool('a'), tool('b'), tool('c')];

  it('answers with content when there are no tools or tool_choice is none', () => {
    assert.deepEqual(chooseTools({}), []);
    assert.deepEqual(chooseTools({ tools: [] }), []);
    assert.deepEqual(chooseTools({ tools, tool_choice: 'none' }), []);
  });

  it('calls the first two tools in parallel by default', () => {
    assert.deepEqual(names(chooseTools({ tools })), ['a', 'b']);
    assert.deepEqual(names(chooseTools({ tools, tool_choice: 'required' })), ['a', 'b']);
  });

  it('calls only the first tool when parallel calls are off or there is one tool', () => {
    assert.deepEqual(names(chooseTools({ tools, parallel_tool_calls: false })), ['a']);
    assert.deepEqual(names(chooseTools({ tools: [tool('solo')] })), ['solo']);
  });

  it('calls exactly the named tool', () => {
    assert.deepEqual(names(chooseTools({ tools, tool_choice: { type: 'function', function: { name: 'c' } } })), ['c']);
  });
});
