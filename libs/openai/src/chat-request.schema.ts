import { z } from 'zod';

const num = (min: number, max: number) => z.number().min(min).max(max).nullish();
const int = (min: number, max: number) => z.number().int().min(min).max(max).nullish();

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const imagePart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
/** Other part types (input_audio, file, refusal…) pass through to providers that understand them. */
const otherPart = z.looseObject({ type: z.string().refine((t) => t !== 'text' && t !== 'image_url') });
const contentPart = z.union([textPart, imagePart, otherPart]);

const toolCall = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

const message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content: z.union([z.string(), z.array(textPart)]), name: z.string().optional() }),
  z.looseObject({ role: z.literal('developer'), content: z.union([z.string(), z.array(textPart)]), name: z.string().optional() }),
  z.looseObject({ role: z.literal('user'), content: z.union([z.string(), z.array(contentPart).min(1)]), name: z.string().optional() }),
  z.looseObject({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(contentPart)]).nullish(),
    name: z.string().optional(),
    tool_calls: z.array(toolCall).optional(),
    reasoning_content: z.string().nullish(),
  }),
  z.looseObject({ role: z.literal('tool'), content: z.union([z.string(), z.array(textPart)]), tool_call_id: z.string() }),
  z.looseObject({ role: z.literal('function'), content: z.string().nullable(), name: z.string() }),
]);

const functionTool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 characters of a-z, A-Z, 0-9, _ or -'),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
]);

const responseFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({ name: z.string(), schema: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullish() }),
  }),
]);

/**
 * OpenAI's Chat Completions request, validated for types and ranges the way OpenAI does. Unknown top-level
 * fields pass through (providers' own extensions, e.g. `enable_thinking`, arrive via the SDKs' `extra_body`);
 * see docs/decisions/0003.
 */
export const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(message).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  temperature: num(0, 2),
  top_p: num(0, 1),
  n: int(1, 128),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  max_tokens: int(1, 10_000_000),
  max_completion_tokens: int(1, 10_000_000),
  presence_penalty: num(-2, 2),
  frequency_penalty: num(-2, 2),
  logit_bias: z.record(z.string(), z.number().min(-100).max(100)).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: int(0, 20),
  seed: z.number().int().nullish(),
  user: z.string().optional(),
  tools: z.array(functionTool).max(128).optional(),
  tool_choice: toolChoice.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: responseFormat.optional(),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
