import { z } from 'zod';
import { invalidAnthropicRequest } from './anthropic.dialect';

const block = z.looseObject({ type: z.string() });
const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });

const message = z.looseObject({
  role: z.enum(['user', 'assistant', 'system']),
  content: z.union([z.string(), z.array(block)]),
});

// Client tools carry `input_schema`; server tools (`web_search_…`) only a `type` and a name.
const tool = z.looseObject({ name: z.string().min(1), input_schema: z.record(z.string(), z.unknown()).optional() });

const toolChoice = z.looseObject({
  type: z.enum(['auto', 'any', 'tool', 'none']),
  name: z.string().optional(),
  disable_parallel_tool_use: z.boolean().optional(),
});

const thinking = z.looseObject({
  type: z.enum(['enabled', 'disabled', 'adaptive', 'between_tools']),
  budget_tokens: z.int().min(1024).optional(),
});

// Structured outputs: `output_config.format` (and the beta's top-level `output_format`), a JSON Schema only.
const outputFormat = z.looseObject({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) });
const outputConfig = z.looseObject({ format: outputFormat.optional() });

/**
 * The fields the mock acts on, checked the way Anthropic's validation does: optional fields must be absent rather
 * than null, `max_tokens` is required, and problems are reported as `<path>: <reason>`.
 */
const countTokensSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(message).min(1),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
  thinking: thinking.optional(),
});

const messagesSchema = countTokensSchema.extend({
  max_tokens: z.int().min(1),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
  output_config: outputConfig.optional(),
  output_format: outputFormat.optional(),
});

export type CountTokensRequest = z.infer<typeof countTokensSchema>;
export type MessagesRequest = z.infer<typeof messagesSchema>;
export type AnthropicMessage = CountTokensRequest['messages'][number];
export type AnthropicBlock = z.infer<typeof block>;

export function parseMessagesRequest(body: unknown): MessagesRequest {
  const request = validate(messagesSchema, body);
  checkThinking(request);
  checkToolChoice(request);
  return request;
}

export function parseCountTokensRequest(body: unknown): CountTokensRequest {
  const request = validate(countTokensSchema, body);
  checkToolChoice(request);
  return request;
}

/** Thinking is on for `enabled` (with a budget) and `adaptive` (the model decides how much). */
export function thinks(request: Pick<CountTokensRequest, 'thinking'>): boolean {
  return request.thinking?.type === 'enabled' || request.thinking?.type === 'adaptive';
}

function checkThinking(request: MessagesRequest): void {
  if (request.thinking?.type === 'enabled') {
    const budget = request.thinking.budget_tokens;
    if (budget === undefined) throw invalidAnthropicRequest('thinking.enabled.budget_tokens: Field required');
    if (request.max_tokens <= budget) throw invalidAnthropicRequest('`max_tokens` must be greater than `thinking.budget_tokens`.');
  }
  const forced = request.tool_choice?.type === 'any' || request.tool_choice?.type === 'tool';
  if (thinks(request) && forced) throw invalidAnthropicRequest('Thinking may not be enabled when tool_choice forces tool use.');
}

function checkToolChoice(request: CountTokensRequest): void {
  const choice = request.tool_choice;
  if (!choice) return;
  if (!request.tools?.length) throw invalidAnthropicRequest('tool_choice may only be specified while providing tools.');
  if (choice.type !== 'tool') return;
  if (!choice.name) throw invalidAnthropicRequest('tool_choice.tool.name: Field required');
  if (!request.tools.some((t) => t.name === choice.name)) {
    throw invalidAnthropicRequest(`tool_choice.tool.name: Tool '${choice.name}' not found in tools.`);
  }
}

function validate<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidAnthropicRequest('Input should be a valid dictionary');
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.path.map(String).join('.');
  const missing = issue.path.reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown> | undefined)?.[key], body) === undefined;
  throw invalidAnthropicRequest(`${path}: ${missing ? 'Field required' : reason(issue)}`);
}

// Every number the schema checks is a token count, hence an integer.
const TYPE_NAMES: Record<string, string> = {
  int: 'integer',
  number: 'integer',
  string: 'string',
  array: 'list',
  object: 'dictionary',
  boolean: 'boolean',
};

/** Zod's reason in the words of Anthropic's (pydantic) validation. */
function reason(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `Input should be a valid ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
  if (issue.code === 'too_small' && issue.origin === 'array') {
    return `List should have at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
  }
  if (issue.code === 'too_small') return `Input should be greater than or equal to ${issue.minimum}`;
  if (issue.code === 'invalid_value') {
    const quoted = issue.values.map((v) => `'${String(v)}'`);
    return `Input should be ${quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}` : quoted[0]}`;
  }
  // The unions the schema checks are all "a string or a list of blocks".
  if (issue.code === 'invalid_union') return 'Input should be a valid string or a valid list';
  return issue.message;
}
