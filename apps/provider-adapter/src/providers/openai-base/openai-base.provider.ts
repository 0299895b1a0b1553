import { type Attempt, type Provider, PROVIDER_DESCRIPTORS, TfError } from '@tokenflow/contracts';
import { baseUrlOf, endpoint } from '../endpoint';
import type { CompletionsCapability, ProviderAdapter, UpstreamHttpRequest } from '../provider';
import { classifyUpstreamError, openAiErrorInfo, type UpstreamErrorInfo } from '../upstream-errors';
import { OpenAiStreamDecoder } from './chat-stream.decoder';
import { openAiEmbeddings } from './embeddings.transform';
import type { Body } from './param-rules';

/** What sets one OpenAI-compatible provider apart from the others. Everything else is shared. */
export interface OpenAiQuirks {
  /** The folder's id; its `provider.json` gives the default base URL. */
  id: Provider;
  /** The provider's parameter rules, applied to a copy of the client's body (see `param-rules.ts`). */
  chatParams?: (body: Body, model: string) => void;
  /** Whether the upstream honours `stream_options.include_usage`; without it, usage comes on the last chunk. */
  streamUsageOption?: boolean;
  /** Paths of the optional capabilities; absent = the provider does not offer it. */
  embeddingsPath?: string;
  completionsPath?: string;
  /** The upstream models its completions endpoint serves (absent: all); the others go through chat (decision 0024). */
  completionsModels?: RegExp;
  /** Where completions live when not under the channel's base URL as configured (DeepSeek's FIM beta). */
  completionsBase?: (baseUrl: string) => string;
  /** The provider's error body → the shared error rules (default: OpenAI's `{"error": {...}}`). */
  errorInfo?: (body: string) => UpstreamErrorInfo;
}

/**
 * The OpenAI wire format shared by every OpenAI-compatible provider. The client's body passes through except what
 * we own (model, stream switches) and what the provider's rules change. The model is `attempt.upstreamModel` as the
 * router planned it (its one mapping step), never renamed here.
 */
export function openAiCompatible(q: OpenAiQuirks): ProviderAdapter {
  const defaultBaseUrl = PROVIDER_DESCRIPTORS[q.id].defaultBaseUrl;
  const model = (attempt: Attempt) => attempt.upstreamModel;
  const headers = (attempt: Attempt): Record<string, string> => ({ authorization: `Bearer ${attempt.apiKey}`, 'content-type': 'application/json' });
  const streamed = (attempt: Attempt, path: string, body: Body): UpstreamHttpRequest => {
    if (q.streamUsageOption ?? true) body.stream_options = { include_usage: true };
    else delete body.stream_options;
    return { url: endpoint(attempt, defaultBaseUrl, path), headers: { ...headers(attempt), accept: 'text/event-stream' }, body: JSON.stringify(body) };
  };
  const completionsPath = q.completionsPath;
  const completions: CompletionsCapability | undefined = completionsPath
    ? {
        buildRequest: (attempt, body) => {
          // Completions are always streamed upstream (decision 0004), and best_of candidates cannot be streamed.
          if (typeof body.best_of === 'number' && body.best_of > 1) {
            throw new TfError('invalid_request', 'best_of > 1 is not supported by this gateway; ask for n completions instead.', { param: 'best_of' });
          }
          const at = q.completionsBase ? { ...attempt, baseUrl: q.completionsBase(baseUrlOf(attempt, defaultBaseUrl)) } : attempt;
          return streamed(at, completionsPath, { ...body, model: model(attempt), stream: true });
        },
        createDecoder: () => new OpenAiStreamDecoder(),
        ...(q.completionsModels ? { serves: (upstreamModel: string) => q.completionsModels!.test(upstreamModel) } : {}),
      }
    : undefined;
  const embeddingsPath = q.embeddingsPath;
  return {
    id: q.id,
    defaultBaseUrl,
    chat: {
      buildRequest(attempt, clientBody) {
        const body: Body = { ...clientBody, model: model(attempt), stream: true };
        q.chatParams?.(body, body.model as string);
        return streamed(attempt, '/chat/completions', body);
      },
      createDecoder: () => new OpenAiStreamDecoder(),
    },
    ...(embeddingsPath ? { embeddings: openAiEmbeddings((a) => endpoint(a, defaultBaseUrl, embeddingsPath), model, headers) } : {}),
    ...(completions ? { completions } : {}),
    mapError(status: number, body: string, retryAfter: string | undefined): TfError {
      return classifyUpstreamError(status, (q.errorInfo ?? openAiErrorInfo)(body), retryAfter);
    },
  };
}
