import type { ChatRequest, FunctionTool } from '../chat/chat-request';

/** Placeholder values per JSON Schema type: fixed so tests can assert on the exact arguments. */
const PLACEHOLDERS: Record<string, unknown> = {
  string: 'mock',
  number: 42,
  integer: 42,
  boolean: true,
  array: [],
  object: {},
  null: null,
};

/** Which tools a request is answered with, or none when it should get plain content. */
export function chooseTools(request: Pick<ChatRequest, 'tools' | 'tool_choice' | 'parallel_tool_calls'>): FunctionTool[] {
  const tools = request.tools ?? [];
  const choice = request.tool_choice;
  if (tools.length === 0 || choice === 'none') return [];
  if (typeof choice === 'object' && choice) return tools.filter((t) => t.function.name === choice.function.name).slice(0, 1);
  if (tools.length >= 2 && request.parallel_tool_calls !== false) return tools.slice(0, 2);
  return tools.slice(0, 1);
}

/** Arguments satisfying the shape of `parameters.properties`: one placeholder per property. */
export function mockArguments(parameters: Record<string, unknown> | undefined): Record<string, unknown> {
  const properties = parameters?.properties;
  if (typeof properties !== 'object' || properties === null) return {};
  return Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, placeholderFor(schema)]));
}

function placeholderFor(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null) return null;
  const { enum: choices, type } = schema as { enum?: unknown; type?: unknown };
  if (Array.isArray(choices) && choices.length > 0) return choices[0];
  // `"type": ["string", "null"]` is how optional fields are often declared: the non-null type is the useful one.
  const types = Array.isArray(type) ? type : [type];
  const primary = types.find((t) => typeof t === 'string' && t !== 'null') ?? types[0];
  return typeof primary === 'string' && Object.hasOwn(PLACEHOLDERS, primary) ? structuredClone(PLACEHOLDERS[primary]) : null;
}
