import type { TfError, TokenUsage } from '@tokenflow/contracts';
import { CompletionAssembler, SSE_DONE, sseData } from '@tokenflow/openai';
import type { ResponseFormat } from '../response-format';
import { costComment } from './cost-comment';

/** OpenAI Chat Completions: chunks as they come (with `usage: null` and a final usage chunk if asked), or one completion. */
export class OpenAiChatFormat implements ResponseFormat {
  private readonly assembler = new CompletionAssembler();
  private last: Record<string, unknown> | null = null;

  constructor(
    readonly streaming: boolean,
    private readonly opts: { includeUsage: boolean; model: string; requestId: string },
  ) {}

  chunk(data: Record<string, unknown>): string {
    this.last = data;
    return sseData(this.opts.includeUsage ? { ...data, usage: null } : data);
  }

  end(usage: TokenUsage | null, costUsd: string | null): string {
    const tail = this.opts.includeUsage ? sseData(usageChunk(this.last, this.opts.model, usage)) : '';
    return tail + costComment(costUsd) + SSE_DONE;
  }

  error(err: TfError): string {
    return sseData({ error: err.toBody() });
  }

  add(data: Record<string, unknown>): void {
    this.assembler.add(data);
  }

  result(usage: TokenUsage | null): Record<string, unknown> {
    const completion = this.assembler.result(usage);
    if (!completion.id) completion.id = `chatcmpl-${this.opts.requestId}`;
    completion.model = String(completion.model || this.opts.model);
    return completion;
  }
}

/** OpenAI's final usage chunk: same id/created/model as the stream, `choices: []`. */
function usageChunk(last: Record<string, unknown> | null, fallbackModel: string, usage: TokenUsage | null) {
  return {
    id: last?.id ?? '',
    object: 'chat.completion.chunk',
    created: last?.created ?? Math.floor(Date.now() / 1000),
    model: last?.model ?? fallbackModel,
    system_fingerprint: last?.system_fingerprint ?? null,
    choices: [],
    usage,
  };
}
