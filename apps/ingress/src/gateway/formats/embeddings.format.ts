import { TfError, type TokenUsage } from '@tokenflow/contracts';
import type { ResponseFormat } from '../response-format';

/** Embeddings never stream: the adapter sends the whole OpenAI `list` as one chunk. */
export class EmbeddingsFormat implements ResponseFormat {
  readonly streaming = false;
  private readonly items: Record<string, unknown>[] = [];

  constructor(
    private model: string,
    private readonly encoding: 'float' | 'base64' = 'float',
  ) {}

  served(model: string): void {
    this.model = model;
  }

  chunk(): string {
    throw new TfError('internal_error', 'Embeddings do not stream.');
  }

  end(): string {
    return '';
  }

  error(): string {
    return '';
  }

  /** The adapter sends the list in slices (NATS message size): joined in order. */
  add(data: Record<string, unknown>): void {
    if (Array.isArray(data.data)) this.items.push(...(data.data as Record<string, unknown>[]));
  }

  result(usage: TokenUsage | null): Record<string, unknown> {
    const prompt = usage?.prompt_tokens ?? 0;
    const data = this.items.map((d) => ({ ...d, embedding: this.encode(d.embedding) }));
    return { object: 'list', data, model: this.model, usage: { prompt_tokens: prompt, total_tokens: prompt } };
  }

  /** Upstreams are asked for floats; base64 is OpenAI's packing of the same vector as little-endian float32. */
  private encode(embedding: unknown): unknown {
    if (this.encoding !== 'base64' || !Array.isArray(embedding)) return embedding;
    return Buffer.from(new Float32Array(embedding as number[]).buffer).toString('base64');
  }
}
