import type { TfError, TokenUsage } from '@tokenflow/contracts';
import { SSE_DONE, sseData, TextCompletionAssembler } from '@tokenflow/openai';
import type { ResponseFormat } from '../response-format';
import { costComment } from './cost-comment';

/** Legacy Completions: `text_completion` chunks as they come, or one `text_completion`. */
export class OpenAiCompletionsFormat implements ResponseFormat {
  private readonly assembler = new TextCompletionAssembler();
  private last: Record<string, unknown> | null = null;

  constructor(
    readonly streaming: boolean,
    private readonly opts: { includeUsage: boolean; model: string; requestId: string },
  ) {}

  chunk(data: Record<string, unknown>): string {
    this.last = data;
    return sseData(data);
  }

  end(usage: TokenUsage | null, costUsd: string | null): string {
    const tail =
      this.opts.includeUsage && usage
        ? sseData({ id: this.last?.id ?? '', object: 'text_completion', created: this.last?.created ?? Math.floor(Date.now() / 1000), model: this.opts.model, choices: [], usage })
        : '';
    return tail + costComment(costUsd) + SSE_DONE;
  }

  error(err: TfError): string {
    return sseData({ error: err.toBody() });
  }

  add(data: Record<string, unknown>): void {
    this.assembler.add(data);
  }

  result(usage: TokenUsage | null): Record<string, unknown> {
    const out = this.assembler.result(usage);
    if (!out.id) out.id = `cmpl-${this.opts.requestId}`;
    out.model = this.opts.model;
    return out;
  }
}
