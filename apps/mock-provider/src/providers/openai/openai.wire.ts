import type { ProviderWire } from '../provider-wire';
import { OPENAI_CHAT } from './openai-chat.flavor';
import { OPENAI_EMBEDDINGS } from './openai-embeddings.flavor';
import { OPENAI_ERRORS } from './openai.dialect';

/** OpenAI under `/openai/v1`, also the wire of any provider without one of its own; the bare `/v1/…` paths behave the same. */
export const OPENAI_WIRE: ProviderWire = {
  errors: OPENAI_ERRORS,
  routes: {
    'chat/completions': { api: 'chat', flavor: OPENAI_CHAT },
    embeddings: { api: 'embeddings', flavor: OPENAI_EMBEDDINGS },
    /** Legacy text completions (`gpt-3.5-turbo-instruct`). */
    completions: { api: 'completions' },
  },
};
