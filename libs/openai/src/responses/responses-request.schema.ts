import { z } from 'zod';
import { checkMetadata } from '../chat-request.rules';
import { requestFallbacksSchema, requestRouteSchema } from '../chat-request.schema';
import { REQUEST_LIMITS as L } from '../request-limits';
import { EXACT_MESSAGE, withPreflight } from '../validate';
import { responsesRequestLimits, RESPONSES_LIMITS } from './responses-request.limits';

const num = (min: number, max: number) => z.number().min(min).max(max).nullish();

const inputText = z.looseObject({ type: z.literal('input_text'), text: z.string() });
const outputText = z.looseObject({ type: z.literal('output_text'), text: z.string() });
const refusal = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const inputImage = z.looseObject({
  type: z.literal('input_image'),
  image_url: z.string().min(1).nullish(),
  file_id: z.string().nullish(),
  detail: z.enum(['auto', 'low', 'high']).nullish(),
});

/** A file part: accepted where OpenAI accepts it, refused by the rules (chat has no file part every upstream takes). */
const inputFile = z.looseObject({ type: z.literal('input_file'), file_id: z.string().nullish(), file_data: z.string().nullish(), file_url: z.string().nullish(), filename: z.string().nullish() });

/** Every part a message item may hold, as OpenAI accepts them; which role may use which is a rule (below). */
const part = z.discriminatedUnion('type', [inputText, inputImage, outputText, refusal]);

const messageItem = z.looseObject({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(part)]),
  id: z.string().nullish(),
  status: z.string().nullish(),
});
const functionCallItem = z.looseObject({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  id: z.string().nullish(),
  status: z.string().nullish(),
});
const functionCallOutputItem = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  // A tool result may carry images and files, as OpenAI's (the AI SDK sends screenshots this way).
  output: z.union([z.string(), z.array(z.discriminatedUnion('type', [inputText, outputText, inputImage, inputFile]))]),
  id: z.string().nullish(),
  status: z.string().nullish(),
});
/** Accepted and dropped: no upstream we call through chat takes another model's reasoning back. */
const reasoningItem = z.looseObject({ type: z.literal('reasoning'), id: z.string().nullish() });
/** A reference to an item of a stored response (the AI SDK sends these when `store` is on); resolved by ingress. */
const itemReference = z.looseObject({ type: z.literal('item_reference'), id: z.string().min(1) });

const item = z.union([
  messageItem,
  z.discriminatedUnion('type', [functionCallItem, functionCallOutputItem, reasoningItem, itemReference]),
]);

const FUNCTION_NAME = new RegExp(`^[a-zA-Z0-9_-]{1,${L.functionName}}$`);

/** Function tools, flat as the Responses API has them; any other tool type is a 400 naming it (see the rules). */
const tool = z.looseObject({
  type: z.string(),
  name: z.string().regex(FUNCTION_NAME, `must be 1-${L.functionName} characters of a-z, A-Z, 0-9, _ or -`).optional(),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

const toolChoice = z.union([z.enum(['none', 'auto', 'required']), z.looseObject({ type: z.literal('function'), name: z.string() })]);

const textFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    name: z.string().min(1).max(64),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().nullish(),
    strict: z.boolean().nullish(),
  }),
]);

/** The `include` values OpenAI documents; they ask for data we either never have or always return. */
export const RESPONSES_INCLUDE = [
  'code_interpreter_call.outputs',
  'computer_call_output.output.image_url',
  'file_search_call.results',
  'message.input_image.image_url',
  'message.output_text.logprobs',
  'reasoning.encrypted_content',
  'web_search_call.action.sources',
  'web_search_call.results',
] as const;

/**
 * OpenAI's Responses API request (`POST /v1/responses`), the part of it TokenFlow serves on every model: text and
 * image input, function tools, structured output, reasoning effort, stored conversations. Unknown top-level fields
 * pass through as for chat; `validate()` first checks the caps in responses-request.limits.ts on the raw body.
 */
export const responsesRequestSchema = withPreflight(
  z
    .looseObject({
      model: z.string().min(1),
      input: z.union([z.string(), z.array(item).max(RESPONSES_LIMITS.inputItems)]),
      instructions: z.string().nullish(),
      max_output_tokens: z.number().int().min(16).max(10_000_000).nullish(),
      temperature: num(0, 2),
      top_p: num(0, 1),
      tools: z.array(tool).max(L.tools).nullish(),
      tool_choice: toolChoice.nullish(),
      parallel_tool_calls: z.boolean().nullish(),
      text: z.looseObject({ format: textFormat.optional(), verbosity: z.enum(['low', 'medium', 'high']).nullish() }).nullish(),
      reasoning: z
        .looseObject({
          effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullish(),
          summary: z.enum(['auto', 'concise', 'detailed']).nullish(),
          generate_summary: z.enum(['auto', 'concise', 'detailed']).nullish(),
        })
        .nullish(),
      metadata: z.record(z.string(), z.string()).superRefine(checkMetadata).nullish(),
      store: z.boolean().nullish(),
      previous_response_id: z.string().min(1).max(256).nullish(),
      stream: z.boolean().nullish(),
      user: z.string().max(L.user).nullish(),
      safety_identifier: z.string().max(L.safetyIdentifier).nullish(),
      truncation: z.enum(['auto', 'disabled']).nullish(),
      service_tier: z.enum(['auto', 'default', 'flex', 'scale', 'priority']).nullish(),
      include: z.array(z.enum(RESPONSES_INCLUDE)).max(RESPONSES_INCLUDE.length).nullish(),
      background: z.literal(false).nullish(),
      fallbacks: requestFallbacksSchema.optional(),
      route: requestRouteSchema.optional(),
    })
    .superRefine(checkResponsesRequest),
  { check: responsesRequestLimits },
);

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;
export type ResponsesInputItem = z.infer<typeof item>;
export type ResponsesTool = z.infer<typeof tool>;

/** Rules across fields and the Responses API's own refusals, with OpenAI's wording where it has one. */
interface RuleFields {
  tools?: readonly { type: string; name?: string }[] | null;
  tool_choice?: string | { name: string } | null;
  input: string | readonly object[];
}

function checkResponsesRequest(req: RuleFields, ctx: z.RefinementCtx): void {
  const tools = req.tools ?? [];
  for (let i = 0; i < tools.length; i++) {
    const t = tools[i];
    if (t.type !== 'function') {
      return fail(ctx, ['tools', i, 'type'], `Invalid value for 'tools[${i}].type': '${t.type}' is not supported by this gateway; only 'function' tools are.`);
    }
    if (t.name === undefined) return fail(ctx, ['tools', i, 'name'], `Missing required parameter: 'tools[${i}].name'.`);
  }
  const choice = req.tool_choice;
  const named = typeof choice === 'object' && choice !== null ? choice.name : null;
  if ((choice === 'required' || named !== null) && tools.length === 0) {
    return fail(ctx, ['tool_choice'], "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.");
  }
  if (named !== null && !tools.some((t) => t.name === named)) {
    return fail(ctx, ['tool_choice'], `Invalid value for 'tool_choice': no function named '${named}' is among the 'tools'.`);
  }
  if (!Array.isArray(req.input)) return;
  for (let i = 0; i < req.input.length; i++) {
    const out = req.input[i] as { type?: string; output?: unknown };
    if (out.type === 'function_call_output' && Array.isArray(out.output)) {
      const parts = out.output as { type: string; file_id?: string | null; image_url?: string | null }[];
      for (let j = 0; j < parts.length; j++) {
        const p = parts[j];
        const path = ['input', i, 'output', j];
        if (p.type === 'input_file') {
          return fail(ctx, [...path, 'type'], `Invalid value for 'input[${i}].output[${j}].type': 'input_file' parts are not supported in tool results by this gateway; send the file's text as 'input_text'.`);
        }
        if (p.type === 'input_image' && p.file_id) {
          return fail(ctx, [...path, 'file_id'], `Invalid value for 'input[${i}].output[${j}].file_id': file ids are not supported; send the image as 'image_url' (a URL or a data URL).`);
        }
        if (p.type === 'input_image' && !p.image_url) return fail(ctx, [...path, 'image_url'], `Missing required parameter: 'input[${i}].output[${j}].image_url'.`);
      }
      continue;
    }
    const it = req.input[i] as { role?: string; content?: unknown };
    if (!('role' in it) || !Array.isArray(it.content)) continue;
    const parts = it.content as { type: string; file_id?: string | null; image_url?: string | null }[];
    for (let j = 0; j < parts.length; j++) {
      const p = parts[j];
      const path = ['input', i, 'content', j];
      if (p.type === 'input_image' && p.file_id) {
        return fail(ctx, [...path, 'file_id'], `Invalid value for 'input[${i}].content[${j}].file_id': file ids are not supported; send the image as 'image_url' (a URL or a data URL).`);
      }
      if (p.type === 'input_image' && !p.image_url) return fail(ctx, [...path, 'image_url'], `Missing required parameter: 'input[${i}].content[${j}].image_url'.`);
      const assistant = it.role === 'assistant';
      if (assistant !== (p.type === 'output_text' || p.type === 'refusal')) {
        return fail(ctx, [...path, 'type'], `Invalid value for 'input[${i}].content[${j}].type': '${p.type}' is not allowed in a message with role '${it.role}'.`);
      }
    }
  }
}

function fail(ctx: z.RefinementCtx, path: (string | number)[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message, params: EXACT_MESSAGE });
}
