import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { TfError } from '@tokenflow/contracts';
import { Piscina } from 'piscina';
import { countTextsAndDigits, MAX_PROMPT_CHARS, type PromptParts, promptParts, reserveTokens, SYNC_CHARS, type TextCount, tokenUpperBound } from './token-count';

/** A prompt's tokens: the best estimate, and what holds and rate limits reserve for it (never less than billed). */
export interface PromptCount {
  /** Every input token, audio and files included (files and audio by a guess from their size). */
  tokens: number;
  /** What is held at the input price: the text's reserve plus `fileReserve`. */
  reserve: number;
  /** The part of `reserve` that is `file` parts' worst case (see `MAX_FILE_TOKENS`); absent without files. */
  fileReserve?: number;
  /** Audio input's worst case, held at the model's audio input price; absent without audio. */
  audioTokens?: number;
}

/** The count of a prompt taken apart by `promptParts`, once its texts are counted. */
export function promptCountOf(parts: PromptParts, count: TextCount): PromptCount {
  const prompt: PromptCount = {
    tokens: parts.fixedTokens + count.tokens + parts.fileTokens + parts.audioTokens,
    reserve: reserveTokens(parts.fixedTokens, parts.chars, count) + parts.fileReserve,
  };
  if (parts.fileReserve > 0) prompt.fileReserve = parts.fileReserve;
  if (parts.audioTokens > 0) prompt.audioTokens = parts.audioTokens;
  return prompt;
}

export interface TokenCounterOptions {
  /** Prompts up to this many characters are counted on the calling thread (default `SYNC_CHARS`). */
  inlineChars?: number;
  /** Worker threads (default: one per core beyond the first, at least one). */
  threads?: number;
  /** Large counts waiting for the bulk worker before new ones take the upper bound instead (default 8). */
  maxQueue?: number;
}

/** Past this many characters a count goes to the bulk lane: huge prompts never queue in front of ordinary ones. */
const BULK_CHARS = 64 * 1024;

/**
 * Counts tokens without ever blocking the event loop for more than a few milliseconds: small texts (nearly every
 * request) are counted inline, larger ones in worker threads — up to 64 KB in one lane (milliseconds each), huge
 * ones (up to `MAX_PROMPT_CHARS`, seconds each) in a bulk lane of their own, so a flood of huge prompts never delays
 * an ordinary one. When a lane is saturated, a count takes the byte upper bound instead of waiting: the request goes
 * on with a larger hold, never a smaller one. One per process; `close()` at shutdown.
 */
export class TokenCounter {
  private readonly inlineChars: number;
  private readonly pool: Piscina;
  private readonly bulk: Piscina;
  /** Counts that fell back to the upper bound (a lane was full or failed); ingress exports it as a metric. */
  saturated = 0;

  constructor(opts: TokenCounterOptions = {}) {
    this.inlineChars = opts.inlineChars ?? SYNC_CHARS;
    const threads = opts.threads ?? Math.max(1, availableParallelism() - 1);
    const filename = join(__dirname, 'token-count.worker.js');
    this.pool = new Piscina({ filename, minThreads: 1, maxThreads: threads, maxQueue: 1_024, idleTimeout: 60_000 });
    this.bulk = new Piscina({ filename, minThreads: 0, maxThreads: 1, maxQueue: opts.maxQueue ?? 8, idleTimeout: 60_000 });
  }

  /**
   * Input tokens of a request body (chat messages, or a legacy `prompt` / embeddings `input`). A prompt longer than
   * any model's context window (`MAX_PROMPT_CHARS`) is refused before it costs anything.
   */
  async prompt(body: Record<string, unknown>): Promise<PromptCount> {
    const parts = promptParts(body);
    if (parts.chars > MAX_PROMPT_CHARS) {
      throw new TfError(
        'context_length_exceeded',
        `The prompt has ${parts.chars} characters of text; this gateway takes at most ${MAX_PROMPT_CHARS} (about a million tokens, more than any model's context window).`,
        { param: Array.isArray(body.messages) ? 'messages' : body.prompt !== undefined ? 'prompt' : 'input' },
      );
    }
    return promptCountOf(parts, await this.texts(parts.texts, parts.chars));
  }

  /** Tokens of generated text. */
  async text(text: string): Promise<number> {
    return (await this.texts([text], text.length)).tokens;
  }

  private async texts(texts: string[], chars: number): Promise<TextCount> {
    if (chars <= this.inlineChars) return countTextsAndDigits(texts);
    try {
      return (await (chars > BULK_CHARS ? this.bulk : this.pool).run(texts)) as TextCount;
    } catch {
      this.saturated++;
      // Digits unknown: counted as none, the byte bound is above one token per digit anyway.
      return { tokens: tokenUpperBound(texts), digits: 0 };
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.close({ force: true }), this.bulk.close({ force: true })]);
  }

  /** Nest calls this on a provider instance at shutdown. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
