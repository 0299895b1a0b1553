import type { ProviderWire } from '../provider-wire';
import { MOONSHOT_CHAT } from './moonshot-chat.flavor';
import { MOONSHOT_ERRORS } from './moonshot.dialect';

/** Moonshot offers chat only: `…/v1/embeddings` is its 404, as upstream. */
export const MOONSHOT_WIRE: ProviderWire = {
  errors: MOONSHOT_ERRORS,
  routes: { 'chat/completions': { api: 'chat', flavor: MOONSHOT_CHAT } },
};
