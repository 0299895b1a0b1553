import { type Attempt, PROVIDER_DESCRIPTORS } from '@tokenflow/contracts';
import { baseUrlOf } from '../endpoint';

/** Anthropic's Messages API root, version included like every base URL of ours (`provider.json`). */
export const ANTHROPIC_BASE_URL = PROVIDER_DESCRIPTORS.anthropic.defaultBaseUrl;
export const MESSAGES_PATH = '/messages';
const API_VERSION_SEGMENT = '/v1';
/** The current (and only non-legacy) API version; newer behaviour is opted into per feature, never by this date. */
export const ANTHROPIC_VERSION = '2023-06-01';

/** API keys go in `x-api-key`; no Authorization header (Anthropic reads that one as an OAuth token). */
export function anthropicHeaders(apiKey: string): Record<string, string> {
  return {
    'x-api-key': apiKey,
    'anthropic-version': ANTHROPIC_VERSION,
    'content-type': 'application/json',
    accept: 'text/event-stream',
  };
}

/**
 * Base URLs follow the Anthropic SDK's convention, so they work as pasted from a provider's docs: `/v1/messages` is
 * appended (`https://api.anthropic.com`, `https://api.deepseek.com/anthropic`, a proxy at a bare origin), or only
 * `/messages` when the URL already ends in the version (`https://api.anthropic.com/v1`, our default and the mock's).
 */
export function messagesUrl(attempt: Attempt): string {
  const base = baseUrlOf(attempt, ANTHROPIC_BASE_URL);
  return `${base}${base.endsWith(API_VERSION_SEGMENT) ? '' : API_VERSION_SEGMENT}${MESSAGES_PATH}`;
}
