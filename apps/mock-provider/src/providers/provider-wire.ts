import type { ChatFlavor } from '../chat/chat-flavor';
import type { EmbeddingsFlavor } from '../embeddings/embeddings-flavor';
import type { ErrorDialect } from './error-dialect';

/** Which of the mock's shared flows answers one route, and in which provider's rendering. */
export type WireRoute =
  | { readonly api: 'chat'; readonly flavor: ChatFlavor }
  | { readonly api: 'embeddings'; readonly flavor: EmbeddingsFlavor }
  /** OpenAI's legacy `/completions`. */
  | { readonly api: 'completions' }
  /** Anthropic's Messages API and its token counter. */
  | { readonly api: 'messages' }
  | { readonly api: 'count-tokens' };

/**
 * One provider's wire format as the mock speaks it: data over the shared flows (content, token counts, directives,
 * pacing, tools are the same for every provider). The mock serves it under `mockBasePath(<id>)` — `/<id>` plus the
 * path of the provider's default base URL, from its `provider.json` — so no path is written here twice.
 */
export interface ProviderWire {
  /** Its credential check and every error body, status and wording. */
  readonly errors: ErrorDialect;
  /** Path under the base URL (`chat/completions`) → the flow that answers it. Any other path: the provider's 404. */
  readonly routes: Readonly<Record<string, WireRoute>>;
  /** Further base paths the provider documents, under `/<id>` (DeepSeek takes `…/v1` as well as its bare host). */
  readonly alsoUnder?: readonly string[];
}
