import type { TfError, TokenUsage } from '@tokenflow/contracts';
import { CompletionAssembler, SSE_DONE, sseData, TextCompletionAssembler } from '@tokenflow/openai';
import type { ResponseFormat } from '../response-format';
import { OPENAI_ERRORS } from './api-errors';
import { costComment } from './cost-comment';

interface Assembler {
  add(chunk: Record<string, unknown>): void;
  result(usage: TokenUsage | null): Record<string, unknown>;
}

/** What differs between OpenAI's two streamed APIs. */
interface Flavor {
  /** The chunk object type, as the final usage chunk repeats it. */
  object: 'chat.completion.chunk' | 'text_completion';
  /** Prefix of the id made up when the upstream gave none. */
  idPrefix: string;
  assembler: () => Assembler;
}

const CHAT: Flavor = { object: 'chat.completion.chunk', idPrefix: 'chatcmpl-', assembler: () => new CompletionAssembler() };
const COMPLETIONS: Flavor = { object: 'text_completion', idPrefix: 'cmpl-', assembler: () => new TextCompletionAssembler() };

/**
 * OpenAI Chat Completions or legacy Completions: chunks as they come (with `usage: null` on each and a final usage
 * chunk when the client asked for usage), or folded into the one object a non-streamed request returns.
 */
export class OpenAiStreamFormat implements ResponseFormat {
  private readonly assembler: Assembler;
  private last: Record<string, unknown> | null = null;

  private constructor(
    private readonly flavor: Flavor,
    readonly streaming: boolean,
    private readonly opts: { includeUsage: boolean; model: string; requestId: string },
  ) {
    this.assembler = flavor.assembler();
  }

  static chat(streaming: boolean, opts: OpenAiStreamFormat['opts']): OpenAiStreamFormat {
    return new OpenAiStreamFormat(CHAT, streaming, opts);
  }

  static completions(streaming: boolean, opts: OpenAiStreamFormat['opts']): OpenAiStreamFormat {
    return new OpenAiStreamFormat(COMPLETIONS, streaming, opts);
  }

  chunk(data: Record<string, unknown>): string {
    this.last = data;
    return sseData(this.opts.includeUsage ? { ...data, usage: null } : data);
  }

  end(usage: TokenUsage | null, costUsd: string | null): string {
    const tail = this.opts.includeUsage ? sseData(this.usageChunk(usage)) : '';
    return tail + costComment(costUsd) + SSE_DONE;
  }

  error(err: TfError): string {
    return OPENAI_ERRORS.event(err);
  }

  add(data: Record<string, unknown>): void {
    this.assembler.add(data);
  }

  result(usage: TokenUsage | null): Record<string, unknown> {
    const out = this.assembler.result(usage);
    if (!out.id) out.id = `${this.flavor.idPrefix}${this.opts.requestId}`;
    // The chunks carry the model that served the request (ours, `auto` resolved), never the upstream's name for it.
    out.model = String(out.model || this.opts.model);
    return out;
  }

  /** OpenAI's final usage chunk: same id/created/model as the stream, `choices: []`. */
  private usageChunk(usage: TokenUsage | null) {
    const last = this.last;
    return {
      id: last?.id ?? '',
      object: this.flavor.object,
      created: last?.created ?? Math.floor(Date.now() / 1000),
      model: last?.model ?? this.opts.model,
      // Only a fingerprint the stream had: OpenAI's schema says string, so none (Kimi, GLM, Claude) is omitted, never null.
      ...(this.flavor === CHAT && typeof last?.system_fingerprint === 'string' ? { system_fingerprint: last.system_fingerprint } : {}),
      choices: [],
      usage,
    };
  }
}
