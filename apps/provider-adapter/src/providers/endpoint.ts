import type { Attempt } from '@tokenflow/contracts';

/**
 * The URL of one capability: the channel's base URL (or the provider's default when the channel has none) plus the
 * capability's path. Base URLs carry the API version (`https://api.openai.com/v1`), paths do not (`/chat/completions`).
 */
export function endpoint(attempt: Attempt, defaultBaseUrl: string, path: string): string {
  return `${baseUrlOf(attempt, defaultBaseUrl)}${path}`;
}

/** The channel's base URL (or the provider's default), without trailing slashes. */
export function baseUrlOf(attempt: Attempt, defaultBaseUrl: string): string {
  return trimTrailingSlashes(attempt.baseUrl || defaultBaseUrl);
}

/** A loop, not `/\/+$/`: that pattern is quadratic on a long run of slashes that is not at the end. */
export function trimTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url.charCodeAt(end - 1) === 0x2f) end--;
  return end === url.length ? url : url.slice(0, end);
}
