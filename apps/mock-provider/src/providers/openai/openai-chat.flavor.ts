import type { ChatFlavor } from '../../chat/chat-flavor';
import { buildChunkSequence, buildCompletion, type ChunkKind, MALFORMED_JSON } from '../../completion/response-format';
import type { FrameRole, SseEncoding, SseFrame } from '../../stream/sse-frame';
import { dataFrame } from '../../stream/sse-frame';
import type { ErrorDialect } from '../error-dialect';
import { OPENAI_ERRORS } from './openai.dialect';

const ROLE_OF: Record<ChunkKind, FrameRole> = { role: 'head', token: 'token', finish: 'tail', usage: 'tail' };

/** `data: {chunk}` frames; the chunk kinds decide what is paced and where a scripted failure may cut. */
export function chunkFrames(chunks: readonly { kind: ChunkKind; body: unknown }[]): SseFrame[] {
  return chunks.map((chunk) => dataFrame(ROLE_OF[chunk.kind], chunk.body));
}

/** OpenAI's stream framing, shared by the providers that copy it: `data: [DONE]` last, errors as data events. */
export function openAiSse(errors: ErrorDialect, keepAlive?: string): SseEncoding {
  return {
    done: 'data: [DONE]\n\n',
    malformed: `data: ${MALFORMED_JSON}\n\n`,
    error: () => errors.streamError(),
    ...(keepAlive ? { keepAlive } : {}),
  };
}

/** OpenAI itself: the base every OpenAI-compatible flavor starts from. */
export const OPENAI_CHAT: ChatFlavor = {
  errors: OPENAI_ERRORS,
  sse: openAiSse(OPENAI_ERRORS),
  completion: (plan, { includeUsage }) => buildCompletion(plan, { includeUsage }),
  frames: (plan, { includeUsage, usageRequested }) => chunkFrames(buildChunkSequence(plan, { includeUsage: includeUsage && usageRequested })),
};
