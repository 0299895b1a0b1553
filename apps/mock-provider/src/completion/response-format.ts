import type { CompletionPlan, FinishReason, PlannedToolCall, Usage } from './completion-plan';

export const SYSTEM_FINGERPRINT = 'fp_mock';
/** Cut mid-object on purpose (`fail=malformed`): the client's JSON handling must notice and not pass it on. */
export const MALFORMED_JSON = '{"id":"broken",';
/** Largest piece of tool-call arguments per chunk: small enough that clients must reassemble across chunks. */
export const ARGUMENT_FRAGMENT_CHARS = 8;

interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string | null;
  reasoning_content?: string;
  tool_calls?: ToolCallDelta[];
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: { index: number; delta: ChunkDelta; logprobs: null; finish_reason: FinishReason | null }[];
  usage?: Usage | null;
}

/**
 * `role` opens a choice, `token` carries generated output (the chunks that pacing and failure directives
 * count), `finish` closes a choice and `usage` is the trailing usage-only chunk.
 */
export type ChunkKind = 'role' | 'token' | 'finish' | 'usage';

export interface StreamChunk {
  kind: ChunkKind;
  body: ChatCompletionChunk;
}

export interface RenderOptions {
  /** Whether usage is sent at all: a plain response's `usage` field, a stream's usage chunk. */
  includeUsage: boolean;
}

function envelope<T extends string>(plan: CompletionPlan, object: T) {
  return { id: plan.id, object, created: plan.created, model: plan.model, system_fingerprint: SYSTEM_FINGERPRINT };
}

function choiceIndexes(plan: CompletionPlan): number[] {
  return Array.from({ length: plan.n }, (_, i) => i);
}

/** The non-streaming `chat.completion` body. */
export function buildCompletion(plan: CompletionPlan, options: RenderOptions) {
  const usesTools = plan.toolCalls.length > 0;
  const message = () => ({
    role: 'assistant' as const,
    content: usesTools ? null : plan.content.join(''),
    ...(plan.reasoning.length ? { reasoning_content: plan.reasoning.join('') } : {}),
    ...(usesTools ? { tool_calls: plan.toolCalls.map(toToolCall) } : {}),
    refusal: null,
  });
  return {
    ...envelope(plan, 'chat.completion'),
    choices: choiceIndexes(plan).map((index) => ({ index, message: message(), logprobs: null, finish_reason: plan.finishReason })),
    ...(options.includeUsage ? { usage: plan.usage } : {}),
  };
}

function toToolCall(call: PlannedToolCall) {
  return { id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } };
}

/** The `chat.completion.chunk` sequence of a stream, in order, without the closing `[DONE]`. */
export function buildChunkSequence(plan: CompletionPlan, options: RenderOptions): StreamChunk[] {
  const head = envelope(plan, 'chat.completion.chunk');
  // With include_usage OpenAI sends `"usage": null` on every chunk, so clients can rely on the key being there.
  const usageField = options.includeUsage ? { usage: null } : {};
  const forEachChoice = (kind: ChunkKind, delta: ChunkDelta, finish: FinishReason | null = null): StreamChunk[] =>
    choiceIndexes(plan).map((index) => ({
      kind,
      body: { ...head, choices: [{ index, delta, logprobs: null, finish_reason: finish }], ...usageField },
    }));

  const toolChunks = plan.toolCalls.flatMap((call, index) => [
    ...forEachChoice('token', { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }),
    ...fragments(call.arguments, ARGUMENT_FRAGMENT_CHARS).flatMap((part) =>
      forEachChoice('token', { tool_calls: [{ index, function: { arguments: part } }] }),
    ),
  ]);

  return [
    ...forEachChoice('role', { role: 'assistant', content: plan.toolCalls.length ? null : '' }),
    ...plan.reasoning.flatMap((token) => forEachChoice('token', { content: null, reasoning_content: token })),
    ...plan.content.flatMap((token) => forEachChoice('token', { content: token })),
    ...toolChunks,
    ...forEachChoice('finish', {}, plan.finishReason),
    ...(options.includeUsage ? [{ kind: 'usage' as const, body: { ...head, choices: [], usage: plan.usage } }] : []),
  ];
}

export function fragments(text: string, size: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}
