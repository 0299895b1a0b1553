import { z } from 'zod';
import { chatRequestLimits } from './chat-request.limits';
import { checkChatRequest, checkLogitBias, checkMetadata } from './chat-request.rules';
import { REQUEST_LIMITS as L } from './request-limits';
import { withPreflight } from './validate';

const num = (min: number, max: number) => z.number().min(min).max(max).nullish();
const int = (min: number, max: number) => z.number().int().min(min).max(max).nullish();

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const imagePart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.looseObject({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
const audioPart = z.looseObject({ type: z.literal('input_audio'), input_audio: z.looseObject({ data: z.string().min(1), format: z.string().min(1) }) });
const filePart = z.looseObject({
  type: z.literal('file'),
  file: z.looseObject({ file_data: z.string().optional(), file_id: z.string().optional(), filename: z.string().optional() }),
});
const refusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

/** OpenAI's part types per role; any other type is a 400 naming the part, as OpenAI answers. */
const userPart = z.discriminatedUnion('type', [textPart, imagePart, audioPart, filePart]);
const assistantPart = z.discriminatedUnion('type', [textPart, refusalPart]);
const textOnlyPart = z.discriminatedUnion('type', [textPart]);
const textContent = z.union([z.string(), z.array(textOnlyPart)]);

const toolCall = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

const message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content: textContent, name: z.string().optional() }),
  z.looseObject({ role: z.literal('developer'), content: textContent, name: z.string().optional() }),
  z.looseObject({ role: z.literal('user'), content: z.union([z.string(), z.array(userPart).min(1)]), name: z.string().optional() }),
  z.looseObject({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(assistantPart)]).nullish(),
    name: z.string().optional(),
    tool_calls: z.array(toolCall).nullish(),
    reasoning_content: z.string().nullish(),
  }),
  z.looseObject({ role: z.literal('tool'), content: textContent, tool_call_id: z.string() }),
  z.looseObject({ role: z.literal('function'), content: z.string().nullable(), name: z.string() }),
]);

const FUNCTION_NAME = new RegExp(`^[a-zA-Z0-9_-]{1,${L.functionName}}$`);

const functionTool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().regex(FUNCTION_NAME, `must be 1-${L.functionName} characters of a-z, A-Z, 0-9, _ or -`),
    description: z.string().nullish(),
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
 * Our extension (the SDKs send it via `extra_body`): the models to try, in order, when `model` cannot serve, in place
 * of the key's or the catalog's chain for this one request; `[]` asks for no fallback. Ingress takes it out of the
 * body before it goes upstream, so no provider sees it. The key's allowed models still bind.
 */
export const requestFallbacksSchema = z.array(z.string().min(1).max(256)).max(8);

/**
 * Our extension for `model: "auto"` (`extra_body` in the SDKs): how to trade quality for money, a price cap per 1M
 * output tokens, a time-to-first-token target, and the models it may choose from. Taken out before the body goes
 * upstream.
 */
export const requestRouteSchema = z.strictObject({
  mode: z.enum(['economy', 'balanced', 'quality']).optional(),
  max_price_per_1m_output: z.number().positive().max(1_000_000).optional(),
  latency_target_ms: z.number().int().min(1).max(600_000).optional(),
  models: z.array(z.string().min(1).max(256)).min(1).max(32).optional(),
});

/**
 * OpenAI's Chat Completions request, validated for types, ranges and cross-field rules the way OpenAI does. Unknown
 * top-level fields pass through (providers' own extensions, e.g. `enable_thinking`, arrive via the SDKs'
 * `extra_body`); see docs/decisions/0003. `validate()` first checks the caps in request-limits.ts on the raw body.
 */
export const chatRequestSchema = withPreflight(
  z
    .looseObject({
      model: z.string().min(1),
      messages: z.array(message).min(1).max(L.messages),
      stream: z.boolean().nullish(),
      stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
      temperature: num(0, 2),
      top_p: num(0, 1),
      n: int(1, L.n),
      stop: z.union([z.string(), z.array(z.string()).max(L.stop)]).nullish(),
      max_tokens: int(1, 10_000_000),
      max_completion_tokens: int(1, 10_000_000),
      presence_penalty: num(-2, 2),
      frequency_penalty: num(-2, 2),
      logit_bias: z.record(z.string(), z.number()).superRefine(checkLogitBias).nullish(),
      logprobs: z.boolean().nullish(),
      top_logprobs: int(0, 20),
      seed: z.number().int().nullish(),
      user: z.string().max(L.user).nullish(),
      safety_identifier: z.string().max(L.safetyIdentifier).nullish(),
      metadata: z.record(z.string(), z.string()).superRefine(checkMetadata).nullish(),
      tools: z.array(functionTool).min(1).max(L.tools).nullish(),
      tool_choice: toolChoice.nullish(),
      parallel_tool_calls: z.boolean().nullish(),
      response_format: responseFormat.nullish(),
      // OpenAI's tiers; the hold and the price follow it (`priority` costs more where the price book says so).
      service_tier: z.enum(['auto', 'default', 'flex', 'scale', 'priority']).nullish(),
      fallbacks: requestFallbacksSchema.optional(),
      route: requestRouteSchema.optional(),
    })
    .superRefine(checkChatRequest),
  { check: chatRequestLimits },
);

export type ChatRequest = z.infer<typeof chatRequestSchema>;
