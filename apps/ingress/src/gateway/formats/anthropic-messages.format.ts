import { MessageStreamEncoder, toAnthropicMessage } from '@tokenflow/anthropic';
import type { TfError, TokenUsage } from '@tokenflow/contracts';
import { CompletionAssembler } from '@tokenflow/openai';
import type { ResponseFormat } from '../response-format';

/**
 * Anthropic Messages for Anthropic-format clients (the official SDK, Claude Code): the same OpenAI chunks the
 * pipeline produces for every provider, re-told as Anthropic's events or folded into one `Message`.
 */
export class AnthropicMessagesFormat implements ResponseFormat {
  private started: MessageStreamEncoder | null = null;
  private readonly assembler = new CompletionAssembler();
  private model: string;

  constructor(
    readonly streaming: boolean,
    private readonly opts: { requestId: string; model: string; inputTokensEstimate: number },
  ) {
    this.model = opts.model;
  }

  served(model: string): void {
    this.model = model;
  }

  /** Made at first use, once the model that answers is known: `message_start` names it. */
  private get encoder(): MessageStreamEncoder {
    return (this.started ??= new MessageStreamEncoder({ id: this.opts.requestId, model: this.model, inputTokensEstimate: this.opts.inputTokensEstimate }));
  }

  chunk(data: Record<string, unknown>): string {
    return this.encoder.push(data);
  }

  /** No cost comment: Anthropic's stream has no place for one (the header carries it on whole responses). */
  end(usage: TokenUsage | null): string {
    return this.encoder.finish(usage);
  }

  error(err: TfError): string {
    return this.encoder.start() + this.encoder.error(err);
  }

  add(data: Record<string, unknown>): void {
    this.assembler.add(data);
  }

  result(usage: TokenUsage | null): Record<string, unknown> {
    return toAnthropicMessage(this.assembler.result(usage), { id: this.opts.requestId, model: this.model, inputTokensEstimate: this.opts.inputTokensEstimate }) as unknown as Record<
      string,
      unknown
    >;
  }
}
