import type { Endpoint, PlanReply, PricingTerms, RequestSize } from '@tokenflow/contracts';
import type { PromptCount } from '@tokenflow/openai';

/** Used when neither the request nor the catalog bounds the output. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4_096;

/** OpenAI's default `max_tokens` for `/v1/completions`. */
const LEGACY_COMPLETIONS_DEFAULT = 16;

/** Below this, a context window is too full to answer in. */
const MIN_ANSWER_ROOM = 1_024;

type Body = Record<string, unknown>;

/** A request sized for one plan: what every reservation takes, and the body as it goes upstream. */
export interface SizedRequest {
  size: RequestSize;
  /** The client's body with the planned model and the output cap the reservations cover. */
  upstreamBody: Body & { model: string };
}

/**
 * The one place a request's size is worked out, once per plan: the hold, the rate limits and the upstream key's
 * quota all reserve from `size`, and the body sent upstream can never generate more than they cover.
 */
export function sizeRequest(body: Body, plan: Pick<PlanReply, 'model' | 'maxOutputTokens' | 'contextWindow'>, endpoint: Endpoint, prompt: PromptCount): SizedRequest {
  // The cap leaves room beside the prompt's estimate; audio's count is a worst case that only sizes the hold
  // (`terms.audioTokens`), and counting it here would cut `max_tokens` below what the model allows.
  const upstreamBody = { ...withOutputCap(body, plan, endpoint, prompt.tokens - (prompt.audioTokens ?? 0)), model: plan.model };
  // Sized from the body as it goes upstream: the output it may generate is exactly the cap it carries.
  const held = holdSize(upstreamBody, plan.maxOutputTokens, endpoint, promptReserve(prompt, plan.contextWindow));
  const size: RequestSize = { promptTokens: prompt.tokens, promptReserve: held.promptTokens, outputTokens: held.maxOutputTokens };
  const terms = pricingTerms(upstreamBody, prompt);
  if (terms) size.terms = terms;
  return { size, upstreamBody };
}

/**
 * What the hold reserves for the prompt at the input price. A `file` part's worst case (a hundred pages) is no
 * estimate of its size, so it may only raise the reserve up to the model's context window: no provider bills more
 * input than the model can read. The text's own reserve is never lowered.
 */
export function promptReserve(prompt: PromptCount, contextWindow: number | null | undefined): number {
  const files = prompt.fileReserve ?? 0;
  if (!files || !contextWindow) return prompt.reserve;
  return Math.min(prompt.reserve, Math.max(prompt.reserve - files, contextWindow));
}

/**
 * What changes the request's price beyond its token counts (billing prices the hold and the quote by it): audio in
 * and out, the client's `service_tier`, and the longest-lived cache write it marks. Null when none applies.
 */
export function pricingTerms(body: Body, prompt: Pick<PromptCount, 'audioTokens'>): PricingTerms | null {
  const terms: PricingTerms = {};
  if (prompt.audioTokens) terms.audioTokens = prompt.audioTokens;
  if (Array.isArray(body.modalities) && body.modalities.includes('audio')) terms.audioOutput = true;
  if (typeof body.service_tier === 'string') terms.serviceTier = body.service_tier;
  const cacheWrite = longestCacheWrite(body);
  if (cacheWrite) terms.cacheWrite = cacheWrite;
  return Object.keys(terms).length ? terms : null;
}

/**
 * The longest cache lifetime the body's `cache_control` marks ask to write (Anthropic: `ttl` `5m`, the default, or
 * `1h`; Qwen's explicit cache: 5 minutes), on content parts, messages, tools or the body itself; null without marks.
 */
export function longestCacheWrite(body: Body): '5m' | '1h' | null {
  let longest: '5m' | '1h' | null = null;
  const mark = (v: unknown) => {
    const cc = v && typeof v === 'object' ? (v as { cache_control?: unknown }).cache_control : undefined;
    if (!cc || typeof cc !== 'object') return;
    longest = (cc as { ttl?: unknown }).ttl === '1h' ? '1h' : (longest ?? '5m');
  };
  mark(body);
  for (const m of Array.isArray(body.messages) ? body.messages : []) {
    mark(m);
    const content: unknown = (m as { content?: unknown } | null)?.content;
    if (Array.isArray(content)) for (const part of content) mark(part);
  }
  for (const t of Array.isArray(body.tools) ? body.tools : []) mark(t);
  return longest;
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/**
 * What the hold must cover: every choice's longest possible output, and the prompt's reserve (`TokenCounter`:
 * the tokenizer's count plus a margin, and never under what any common tokenizer could bill). Embeddings produce no
 * output.
 */
export function holdSize(
  body: Body,
  catalogMaxOutput: number | null,
  endpoint: Endpoint,
  /** The prompt's reserve (`PromptCount.reserve`), counted once per request. */
  reserve: number,
): { promptTokens: number; maxOutputTokens: number } {
  const promptTokens = reserve;
  if (endpoint === 'embeddings') return { promptTokens, maxOutputTokens: 0 };
  // Legacy completions generate best_of candidates server-side and bill them all.
  const choices = Math.max(num(body.n) ?? 1, endpoint === 'completions' ? (num(body.best_of) ?? 1) : 1);
  return { promptTokens, maxOutputTokens: outputCap(body, catalogMaxOutput) * choices };
}

/** Output tokens per choice the hold covers: the client's limit, else the catalog's, else the default. */
export function outputCap(body: Body, catalogMaxOutput: number | null): number {
  return num(body.max_completion_tokens) ?? num(body.max_tokens) ?? catalogMaxOutput ?? DEFAULT_MAX_OUTPUT_TOKENS;
}

/**
 * The chat body sent upstream: when the client set no output limit, the one the hold covers is added, so a model
 * can never generate more than was reserved — but no more than fits beside the prompt in the model's context window
 * (providers refuse prompt + max_tokens above it). Legacy completions are told OpenAI's small default (16)
 * unless they set a limit; embeddings generate nothing. `sizeRequest` reserves exactly the cap this adds.
 */
export function withOutputCap<T extends Body>(
  body: T,
  model: { maxOutputTokens: number | null; contextWindow?: number | null },
  endpoint: Endpoint,
  counted: number,
): T & { max_tokens?: number } {
  if (endpoint === 'embeddings' || body.max_completion_tokens != null || body.max_tokens != null) return body;
  // OpenAI's documented default for legacy completions, stated so every backend stops where the hold expects.
  if (endpoint === 'completions') return { ...body, max_tokens: Math.min(LEGACY_COMPLETIONS_DEFAULT, outputCap(body, model.maxOutputTokens)) };
  let cap = outputCap(body, model.maxOutputTokens);
  if (model.contextWindow) {
    const room = model.contextWindow - Math.ceil(counted * 1.05);
    // Too little room for a useful answer: the upstream refuses it (context_length_exceeded, then auto's
    // fallback) rather than answering a handful of tokens the client never asked to be cut to.
    if (room >= MIN_ANSWER_ROOM) cap = Math.min(cap, room);
  }
  return { ...body, max_tokens: cap };
}
