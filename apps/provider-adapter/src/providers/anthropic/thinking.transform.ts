import { usesAdaptiveThinking } from './model-capabilities';

/**
 * Anthropic requires `max_tokens`; OpenAI clients mostly omit it. 4096 is within every Claude model's output limit
 * (the Claude 3 models stop there), so the default never causes a 400 on any channel; a client that wants a longer
 * answer says so. Anthropic bills what is generated, not this cap.
 */
export const DEFAULT_MAX_TOKENS = 4096;

type Effort = 'low' | 'medium' | 'high';

/** OpenAI's `reasoning_effort` → Anthropic's effort levels; `none` (or anything unknown) asks for no thinking. */
const EFFORTS: Readonly<Record<string, Effort>> = { minimal: 'low', low: 'low', medium: 'medium', high: 'high', xhigh: 'high' };

/**
 * The thinking budget per effort, for models that only take a budget (4.5 and earlier). 1024 is Anthropic's
 * minimum; each level quadruples. The budget is added to the default `max_tokens` when thinking is asked for
 * without one, so thinking does not eat the answer's room.
 */
export const THINKING_BUDGETS: Readonly<Record<Effort, number>> = { low: 1024, medium: 4096, high: 16384 };

/**
 * Adaptive models may think unasked (the newest always do), and thinking counts against `max_tokens`: their default
 * keeps the answer's 4096 plus the high thinking allowance. Every adaptive model's output limit is far above it.
 */
export const ADAPTIVE_DEFAULT_MAX_TOKENS = DEFAULT_MAX_TOKENS + THINKING_BUDGETS.high;

export interface ThinkingFields {
  max_tokens: number;
  thinking?: Record<string, unknown>;
  output_config?: Record<string, unknown>;
}

/**
 * `max_tokens`, `thinking` and `output_config` (they constrain each other).
 * - A client's own `thinking` / `output_config` (Anthropic's fields, sent as extras) pass through as they are.
 * - Otherwise `reasoning_effort` becomes `{type:'adaptive'}` + `output_config.effort` on models that think
 *   adaptively (they reject a budget), or `{type:'enabled', budget_tokens}` on earlier ones.
 * - Not when the request forces a tool: Anthropic rejects thinking with a forced tool choice, and the tool call is
 *   what the client asked for.
 * - `max_completion_tokens` ?? `max_tokens`, which in OpenAI's terms already includes reasoning; raised only when
 *   it would not leave a budget room (Anthropic requires `max_tokens` > `budget_tokens`).
 */
export function toThinkingFields(body: Record<string, unknown>, model: string, forcesTool: boolean): ThinkingFields {
  const requested = positiveInt(body.max_completion_tokens) ?? positiveInt(body.max_tokens);
  const adaptive = usesAdaptiveThinking(model);
  const clientOutput = asObject(body.output_config);
  const out: ThinkingFields = { max_tokens: requested ?? (adaptive ? ADAPTIVE_DEFAULT_MAX_TOKENS : DEFAULT_MAX_TOKENS) };
  if (clientOutput) out.output_config = clientOutput;

  const clientThinking = asObject(body.thinking);
  const effort = typeof body.reasoning_effort === 'string' ? EFFORTS[body.reasoning_effort] : undefined;
  if (clientThinking) {
    out.thinking = clientThinking;
  } else if (effort && !forcesTool && adaptive) {
    out.thinking = { type: 'adaptive' };
    out.output_config = { ...clientOutput, effort: clientOutput?.effort ?? effort };
  } else if (effort && !forcesTool) {
    out.thinking = { type: 'enabled', budget_tokens: THINKING_BUDGETS[effort] };
    if (requested === undefined) out.max_tokens = DEFAULT_MAX_TOKENS + THINKING_BUDGETS[effort];
  }

  const budget = out.thinking?.type === 'enabled' ? positiveInt(out.thinking.budget_tokens) : undefined;
  if (budget !== undefined && out.max_tokens <= budget) out.max_tokens = budget + (requested ?? DEFAULT_MAX_TOKENS);
  return out;
}

/** Whether the request will think (then Anthropic rejects temperature and top_k changes). */
export function thinks(fields: ThinkingFields): boolean {
  return fields.thinking !== undefined && fields.thinking.type !== 'disabled';
}

function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
