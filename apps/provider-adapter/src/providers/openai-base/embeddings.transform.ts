import type { Attempt } from '@tokenflow/contracts';
import { TfError } from '@tokenflow/contracts';
import type { EmbeddingsCapability, UpstreamHttpRequest } from '../provider';
import { normalizeUsage } from './usage.normalizer';

/** OpenAI's embeddings API, which compatible providers copy: the body passes through with the model mapped. */
export function openAiEmbeddings(url: (attempt: Attempt) => string, model: (attempt: Attempt) => string, headers: (attempt: Attempt) => Record<string, string>): EmbeddingsCapability {
  return {
    buildRequest(attempt, body): UpstreamHttpRequest {
      // Floats from every upstream: ingress encodes base64 itself when the client asked (the openai SDKs do by default).
      const { encoding_format: _ours, ...rest } = body;
      return { url: url(attempt), headers: { ...headers(attempt), accept: 'application/json' }, body: JSON.stringify({ ...rest, model: model(attempt) }) };
    },
    parseResponse(text) {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new TfError('upstream_error', 'The upstream sent a malformed embeddings response.', { retryable: true });
      }
      const data = Array.isArray(parsed.data) ? parsed.data : null;
      if (!data) throw new TfError('upstream_error', 'The upstream sent an embeddings response without data.', { retryable: true });
      const raw = (parsed.usage ?? {}) as Record<string, unknown>;
      // Embeddings report prompt (and total) tokens only.
      const usage = normalizeUsage({ prompt_tokens: raw.prompt_tokens ?? raw.total_tokens ?? 0, completion_tokens: 0 })!;
      return {
        response: { object: 'list', data, model: parsed.model, usage: { prompt_tokens: usage.prompt_tokens, total_tokens: usage.prompt_tokens } },
        usage,
      };
    },
  };
}
