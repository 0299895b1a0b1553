import type { Attempt } from '@tokenflow/contracts';

/**
 * The URL of one capability: the channel's base URL (or the provider's default when the channel has none) plus the
 * capability's path. Base URLs carry the API version (`https://api.openai.com/v1`), paths do not (`/chat/completions`).
 */
export function endpoint(attempt: Attempt, defaultBaseUrl: string, path: string): string {
  const base = (attempt.baseUrl || defaultBaseUrl).replace(/\/+$/, '');
  return `${base}${path}`;
}

/** Our well-known model names → the provider's id, unless the channel's own model_mapping already chose one. */
export function upstreamModel(attempt: Attempt, aliases: Readonly<Record<string, string>>): string {
  return aliases[attempt.upstreamModel] ?? attempt.upstreamModel;
}
