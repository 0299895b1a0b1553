import { TfError } from '@tokenflow/contracts';
import type { ParsedEvent, StreamDecoder } from '../provider';
import { openAiErrorInfo, streamError } from '../upstream-errors';
import { normalizeUsage } from './usage.normalizer';

/**
 * OpenAI-format SSE (chat chunks or legacy `text_completion` chunks) → chunks to forward and normalised usage.
 * Usage may come in its own chunk with `choices: []` (OpenAI, DashScope with include_usage), on the last content
 * chunk (DeepSeek, Zhipu), or inside the last choice (Moonshot): all are taken, and none is forwarded as usage.
 * A `system_fingerprint` that is not a string (DashScope sends `null`) is dropped: OpenAI's schema says string, so
 * a chunk without one says the same thing validly.
 */
export class OpenAiStreamDecoder implements StreamDecoder {
  decode(data: string): ParsedEvent {
    if (data.trim() === '[DONE]') return { chunks: [], done: true };
    let chunk: Record<string, unknown>;
    try {
      chunk = JSON.parse(data) as Record<string, unknown>;
    } catch {
      throw new TfError('upstream_error', 'The upstream sent a malformed stream chunk.', { retryable: true });
    }
    if (chunk.error) throw streamError(openAiErrorInfo(data));
    const { usage: topUsage, ...rest } = chunk;
    if ('system_fingerprint' in rest && typeof rest.system_fingerprint !== 'string') delete rest.system_fingerprint;
    let usage = normalizeUsage(topUsage);
    const choices = Array.isArray(chunk.choices) ? (chunk.choices as Record<string, unknown>[]) : [];
    if (choices.some((c) => c && 'usage' in c)) {
      rest.choices = choices.map((c) => {
        if (!c || !('usage' in c)) return c;
        const { usage: inChoice, ...choice } = c;
        usage ??= normalizeUsage(inChoice);
        return choice;
      });
    }
    // A usage-only chunk is not forwarded: ingress emits usage itself, only when the client asked for it.
    return { chunks: choices.length > 0 ? [rest] : [], usage };
  }
}
