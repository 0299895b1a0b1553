/**
 * What a Claude model accepts changed across generations, and Anthropic answers a mismatch with a 400, so the
 * request transform asks here instead of sending every field to every model. Judged from the id's version (not a
 * list of ids) so that a new model is covered the day it appears; an id with no recognisable version (a custom
 * name behind a proxy) gets everything as the client sent it, and the upstream decides.
 *
 * Sources: platform.claude.com/docs/en/build-with-claude/thinking-troubleshooting (budget thinking is deprecated on
 * 4.6 and rejected from 4.7 on), the Opus 4.7 migration guide (temperature/top_p/top_k rejected from 4.7 on), and the
 * 400 "temperature and top_p cannot both be specified for this model" that 4.1–4.6 models return.
 */
export interface ClaudeVersion {
  major: number;
  minor: number;
}

/**
 * `claude-sonnet-4-5-20250929` → 4.5, `claude-opus-5` → 5.0, `claude-3-7-sonnet-latest` → 3.7,
 * `claude-haiku-4-5@20251001` → 4.5, `anthropic.claude-opus-4-6-v1` → 4.6; none for `claude-mythos-preview`.
 */
export function claudeVersion(model: string): ClaudeVersion | null {
  const at = model.toLowerCase().indexOf('claude-');
  if (at < 0) return null;
  const tokens = model.slice(at + 'claude-'.length).split(/[-@.:]/);
  // One or two digits: a version number; a trailing 8-digit date is not one.
  const i = tokens.findIndex((t) => /^\d{1,2}$/.test(t));
  if (i < 0) return null;
  const minor = /^\d{1,2}$/.test(tokens[i + 1] ?? '') ? Number(tokens[i + 1]) : 0;
  return { major: Number(tokens[i]), minor };
}

/** Fable and Mythos exist only in the adaptive generation, whatever their id says. */
const ADAPTIVE_FAMILY = /claude-(fable|mythos)/i;

function atLeast(model: string, major: number, minor: number): boolean {
  const v = claudeVersion(model);
  return v !== null && (v.major > major || (v.major === major && v.minor >= minor));
}

/** Thinking is `{type:'adaptive'}` plus `output_config.effort` (4.6 on); earlier models only take a token budget. */
export function usesAdaptiveThinking(model: string): boolean {
  return ADAPTIVE_FAMILY.test(model) || atLeast(model, 4, 6);
}

/** From 4.7 on, any temperature, top_p or top_k is a 400. */
export function rejectsSamplingParams(model: string): boolean {
  return ADAPTIVE_FAMILY.test(model) || atLeast(model, 4, 7);
}

/** From 4.1 until sampling went away, temperature and top_p together are a 400. */
export function takesOneSampler(model: string): boolean {
  return atLeast(model, 4, 1);
}

/**
 * Structured outputs (`output_config.format`) are generally available on the 4.5 models and later (Sonnet 4.5, Opus
 * 4.5, Haiku 4.5, the 4.6 generation); an id without a recognisable version gets them, and the upstream decides.
 */
export function supportsStructuredOutputs(model: string): boolean {
  return ADAPTIVE_FAMILY.test(model) || claudeVersion(model) === null || atLeast(model, 4, 5);
}
