import { z } from 'zod';
import { OpenAiError } from '../http/openai-error';
import { validateBody } from '../http/request-validation';
import type { StructuredFormat } from '../completion/json-instance';

const contentPart = z.looseObject({ type: z.string() });

const message = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
});

const functionTool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().min(1),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

const namedToolChoice = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({ name: z.string() }),
});

const responseFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({ name: z.string().min(1), schema: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullish() }),
  }),
]);

const tokenCap = z.int().min(0).nullish();

/**
 * Only the fields the mock acts on are checked; everything else passes through untouched (and is kept verbatim
 * in the request log), because the mock must not reject what a real provider would accept.
 */
const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(message).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  n: z.int().min(1).max(128).nullish(),
  max_tokens: tokenCap,
  max_completion_tokens: tokenCap,
  tools: z.array(functionTool).nullish(),
  tool_choice: z.union([z.enum(['none', 'auto', 'required']), namedToolChoice]).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: responseFormat.nullish(),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type ChatMessage = ChatRequest['messages'][number];
export type FunctionTool = z.infer<typeof functionTool>;

/** Validates a chat request body; any problem is a 400 naming the offending parameter, as OpenAI reports it. */
export function parseChatRequest(body: unknown): ChatRequest {
  const request = validateBody(chatRequestSchema, body);
  const chosen = request.tool_choice;
  if (typeof chosen === 'object' && chosen && !request.tools?.some((t) => t.function.name === chosen.function.name)) {
    throw OpenAiError.invalidRequest(
      `Invalid 'tool_choice': no tool named '${chosen.function.name}' in 'tools'.`,
      'tool_choice',
      'invalid_value',
    );
  }
  return request;
}

/** What `response_format` asks the answer to be, or nothing for plain text. A schema-less `json_schema` is any object. */
export function structuredFormat(request: Pick<ChatRequest, 'response_format'>): StructuredFormat | undefined {
  const format = request.response_format;
  if (format?.type === 'json_object') return { type: 'json_object' };
  if (format?.type !== 'json_schema') return undefined;
  const { schema } = format.json_schema;
  return schema ? { type: 'json_schema', schema } : { type: 'json_object' };
}
