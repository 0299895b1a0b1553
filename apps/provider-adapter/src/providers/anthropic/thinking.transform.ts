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
 * - A client's own `thinking` (Anthropic's field, sent as an extra) is fitted to the model: adaptive models get
 *   `{type:'adaptive'}` (a budget becomes `output_config.effort`), budget-only models get `{type:'enabled'}` with the
 *   client's budget, or one from its effort.
 * - Otherwise `reasoning_effort` becomes adaptive thinking + `output_config.effort`, or a budget on earlier models.
 * - Never when the request forces a tool (Anthropic rejects the pair), nor in a tool loop: Anthropic then wants the
 *   last assistant turn to start with its signed thinking block, which an OpenAI-shaped history cannot carry.
 * - `max_completion_tokens` ?? `max_tokens` is the cap (the client's, or the one ingress added and holds for): it
 *   is never raised. A budget takes at most half of it (Anthropic requires `max_tokens` > `budget_tokens` ≥ 1024,
 *   and the answer needs room too), or thinking is left out.
 */
export function toThinkingFields(body: Record<string, unknown>, model: string, forcesTool: boolean): ThinkingFields {
  const requested = positiveInt(body.max_completion_tokens) ?? positiveInt(body.max_tokens);
  const adaptive = usesAdaptiveThinking(model);
  const clientOutput = asObject(body.output_config);
  const out: ThinkingFields = { max_tokens: requested ?? (adaptive ? ADAPTIVE_DEFAULT_MAX_TOKENS : DEFAULT_MAX_TOKENS) };
  const clientThinking = asObject(body.thinking);
  const effort = effortOf(clientOutput?.effort) ?? (typeof body.reasoning_effort === 'string' ? EFFORTS[body.reasoning_effort] : undefined);
  const wanted = clientThinking ? clientThinking.type !== 'disabled' : effort !== undefined;
  const output = clientOutput ? { ...clientOutput } : undefined;
  if (output && !adaptive) delete output.effort; // `output_config.effort` belongs to the adaptive generation
  if (output && Object.keys(output).length) out.output_config = output;
  if (clientThinking?.type === 'disabled') {
    out.thinking = { type: 'disabled' };
    return out;
  }
  if (!wanted || forcesTool || inToolLoop(body.messages)) return out;

  if (adaptive) {
    const budget = positiveInt(clientThinking?.budget_tokens);
    out.thinking = { type: 'adaptive' };
    out.output_config = { ...out.output_config, effort: clientOutput?.effort ?? effort ?? (budget ? budgetEffort(budget) : 'medium') };
    return out;
  }
  let budget = positiveInt(clientThinking?.budget_tokens) ?? THINKING_BUDGETS[effort ?? 'medium'];
  if (requested === undefined) out.max_tokens = DEFAULT_MAX_TOKENS + budget;
  // Thinking counts against the cap: at most half of it, so the answer always has room.
  else budget = Math.min(budget, Math.floor(requested / 2));
  if (budget < MIN_BUDGET) return out; // the cap leaves no room to think and answer: answer without
  out.thinking = { ...(clientThinking ?? {}), type: 'enabled', budget_tokens: budget };
  return out;
}

/** Anthropic's smallest thinking budget. */
const MIN_BUDGET = 1024;

/** The conversation continues after a tool call of the assistant's (its last turn called tools). */
function inToolLoop(messages: unknown): boolean {
  if (!Array.isArray(messages)) return false;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Record<string, unknown>;
    if (m?.role === 'assistant') return Array.isArray(m.tool_calls) && m.tool_calls.length > 0;
  }
  return false;
}

function effortOf(v: unknown): Effort | undefined {
  return typeof v === 'string' ? (EFFORTS[v] ?? (v === 'max' ? 'high' : undefined)) : undefined;
}

/** A budget-minded client on an adaptive model: the effort whose budget it is closest to. */
function budgetEffort(budget: number): Effort {
  return budget < THINKING_BUDGETS.medium ? 'low' : budget < THINKING_BUDGETS.high ? 'medium' : 'high';
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
