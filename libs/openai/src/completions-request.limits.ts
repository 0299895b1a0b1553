import { arrayCap, type LimitViolation, propertyCap, REQUEST_LIMITS as L } from './request-limits';

/**
 * A batch (strings, or arrays of token ids) longer than `max`. A single prompt given as token ids is one array of
 * numbers as long as the prompt itself, so it is left to the whole-body value budget.
 */
function batchCap(value: unknown, path: string, max: number): LimitViolation | null {
  return Array.isArray(value) && typeof value[0] !== 'number' ? arrayCap(value, [path], max) : null;
}

/** Legacy Completions caps on the raw body, before zod. */
export function completionsRequestLimits(body: Record<string, unknown>): LimitViolation | null {
  return batchCap(body.prompt, 'prompt', L.prompts) ?? arrayCap(body.stop, ['stop'], L.stop) ?? propertyCap(body.logit_bias, ['logit_bias'], L.logitBias);
}

/** Embeddings caps on the raw body, before zod. */
export function embeddingsRequestLimits(body: Record<string, unknown>): LimitViolation | null {
  return batchCap(body.input, 'input', L.embeddingInputs);
}
