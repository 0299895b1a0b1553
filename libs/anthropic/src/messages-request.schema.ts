import { requestFallbacksSchema, requestRouteSchema } from '@tokenflow/openai';
import { z } from 'zod';
import { ANTHROPIC_REQUEST_LIMITS as L } from './messages-request.limits';

/**
 * Anthropic's Messages request (`POST /v1/messages`), limited to what translates into an OpenAI Chat Completions
 * body. Unknown top-level fields (`service_tier`, `container`, `cache_control`…) are accepted and ignored, as
 * Anthropic-only knobs have no OpenAI equivalent; anything that *would* change the answer and cannot be translated
 * (server tools, documents, file sources) is refused with a 400 naming it, never silently dropped. The caps in
 * messages-request.limits.ts are checked on the raw body first.
 */

const cacheControl = z.looseObject({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() }).nullish();

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string(), cache_control: cacheControl });

const imageSource = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('base64'),
    media_type: z.enum(['image/jpeg', 'image/png', 'image/gif', 'image/webp']),
    data: z.string().min(1),
  }),
  z.looseObject({ type: z.literal('url'), url: z.string().regex(/^https?:\/\//i, 'URL should start with http:// or https://') }),
]);
const imageBlock = z.looseObject({ type: z.literal('image'), source: imageSource, cache_control: cacheControl });

const toolUseBlock = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
});

const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock]))]).nullish(),
  is_error: z.boolean().nullish(),
  cache_control: cacheControl,
});

/** Earlier turns' thinking is accepted so clients can replay conversations verbatim; it is not forwarded. */
const thinkingBlock = z.looseObject({ type: z.literal('thinking') });
const redactedThinkingBlock = z.looseObject({ type: z.literal('redacted_thinking') });

const userBlock = z.discriminatedUnion('type', [textBlock, imageBlock, toolResultBlock, thinkingBlock, redactedThinkingBlock]);
const assistantBlock = z.discriminatedUnion('type', [textBlock, toolUseBlock, thinkingBlock, redactedThinkingBlock]);

/** Anthropic's API takes user and assistant turns only (a `system` turn is a 400 there too): `system` is top level. */
const message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('user'), content: z.union([z.string(), z.array(userBlock).min(1).max(L.contentBlocks)]) }),
  z.looseObject({ role: z.literal('assistant'), content: z.union([z.string(), z.array(assistantBlock).max(L.contentBlocks)]) }),
]);

/** OpenAI's limit, stricter than Anthropic's 128: refused here so the error names the Anthropic field. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

const tool = z.looseObject({
  // First in the shape so that, for a server tool (which also lacks input_schema), this is the error reported.
  type: z
    .literal('custom', {
      error: (iss) =>
        `Tool type '${String(iss.input)}' is not supported: this gateway runs custom tools only (name, description, input_schema), not Anthropic server or built-in tools`,
    })
    .nullish(),
  name: z.string().regex(TOOL_NAME, `String should match pattern '${TOOL_NAME.source}'`),
  description: z.string().nullish(),
  input_schema: z.looseObject({ type: z.literal('object') }),
});

const parallel = { disable_parallel_tool_use: z.boolean().nullish() };
const toolChoice = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), ...parallel }),
  z.looseObject({ type: z.literal('any'), ...parallel }),
  z.looseObject({ type: z.literal('tool'), name: z.string().min(1), ...parallel }),
  z.looseObject({ type: z.literal('none') }),
]);

const thinking = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('enabled'), budget_tokens: z.number().int().min(1024) }),
  z.looseObject({ type: z.literal('disabled') }),
  // Current models' default in the SDK: the model picks its own budget.
  z.looseObject({ type: z.literal('adaptive') }),
]);

const outputConfig = z.looseObject({
  effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).nullish(),
  format: z.looseObject({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) }).nullish(),
});

/** Fields shared by `/v1/messages` and `/v1/messages/count_tokens`. */
const common = {
  model: z.string().min(1),
  messages: z.array(message).min(1).max(L.messages),
  system: z.union([z.string(), z.array(textBlock).max(L.contentBlocks)]).nullish(),
  temperature: z.number().min(0).max(1).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_k: z.number().int().min(0).nullish(),
  stop_sequences: z.array(z.string()).max(L.stopSequences).nullish(),
  tools: z.array(tool).max(L.tools).nullish(),
  tool_choice: toolChoice.nullish(),
  metadata: z.looseObject({ user_id: z.string().max(L.userId).nullish() }).nullish(),
  thinking: thinking.nullish(),
  output_config: outputConfig.nullish(),
};

type Common = z.infer<z.ZodObject<typeof common>>;

function checkToolChoice(req: Common, ctx: z.RefinementCtx): void {
  const choice = req.tool_choice;
  if (!choice || choice.type === 'auto' || choice.type === 'none') return;
  const names = (req.tools ?? []).map((t) => t.name);
  if (names.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['tool_choice', 'type'], message: `tool_choice '${choice.type}' needs at least one tool in 'tools'` });
  } else if (choice.type === 'tool' && !names.includes(choice.name)) {
    ctx.addIssue({ code: 'custom', path: ['tool_choice', 'name'], message: `Tool '${choice.name}' not found in 'tools'` });
  }
}

export const countTokensRequestSchema = z.looseObject(common).superRefine(checkToolChoice);

export const messagesRequestSchema = z
  .looseObject({
    ...common,
    max_tokens: z.number().int().min(1),
    stream: z.boolean().nullish(),
    // Ours, as on Chat Completions (`extra_body` in the SDKs): they steer the plan and never go upstream.
    fallbacks: requestFallbacksSchema.optional(),
    route: requestRouteSchema.optional(),
  })
  .superRefine((req, ctx) => {
    checkToolChoice(req, ctx);
    if (req.thinking?.type === 'enabled' && req.thinking.budget_tokens >= req.max_tokens) {
      ctx.addIssue({ code: 'custom', path: ['thinking', 'budget_tokens'], message: '`max_tokens` must be greater than `thinking.budget_tokens`' });
    }
  });

export type MessagesRequest = z.infer<typeof messagesRequestSchema>;
export type CountTokensRequest = z.infer<typeof countTokensRequestSchema>;
