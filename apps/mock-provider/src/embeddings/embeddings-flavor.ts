import type { ErrorDialect } from '../providers/error-dialect';
import type { TextInput } from '../completion/text-inputs';
import type { EmbeddingsRequest } from './embeddings-request';

export interface EmbeddingsResult {
  /** The base model name, without directives. */
  model: string;
  /** Float arrays, or base64 strings under `encoding_format: "base64"`. */
  embeddings: (number[] | string)[];
  promptTokens: number;
  /** False under `usage=none`. */
  includeUsage: boolean;
}

/** One provider's embeddings endpoint: its limits, default vector size, errors and response shape. */
export interface EmbeddingsFlavor {
  readonly errors: ErrorDialect;
  defaultDimensions(model: string): number;
  /** The provider's own limits (batch size, allowed dimensions, empty strings); throws its 400. */
  check(request: EmbeddingsRequest, inputs: readonly TextInput[]): void;
  render(result: EmbeddingsResult): unknown;
}
