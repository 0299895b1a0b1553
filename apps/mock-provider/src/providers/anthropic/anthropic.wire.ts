import type { ProviderWire } from '../provider-wire';
import { ANTHROPIC_ERRORS } from './anthropic.dialect';

/** Anthropic's Messages API (`https://api.anthropic.com/v1`): `x-api-key` and `anthropic-version` required. */
export const ANTHROPIC_WIRE: ProviderWire = {
  errors: ANTHROPIC_ERRORS,
  routes: {
    messages: { api: 'messages' },
    'messages/count_tokens': { api: 'count-tokens' },
  },
};
