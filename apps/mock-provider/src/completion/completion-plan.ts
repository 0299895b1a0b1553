export type FinishReason = 'stop' | 'length' | 'tool_calls';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

export interface PlannedToolCall {
  id: string;
  name: string;
  /** JSON text, as OpenAI sends it. */
  arguments: string;
}

/**
 * Everything a response will contain, decided once per request so the streamed and plain renderings of the same
 * request agree exactly (same tokens, same usage).
 */
export interface CompletionPlan {
  id: string;
  created: number;
  /** The base model name, without directives. */
  model: string;
  /** Number of choices; each carries the same content. */
  n: number;
  reasoning: string[];
  content: string[];
  /** Non-empty when the request is answered with tool calls instead of content. */
  toolCalls: PlannedToolCall[];
  finishReason: FinishReason;
  /** The client's stop sequence that ended the content (finish reason `stop`), when one did. */
  stopSequence?: string;
  usage: Usage;
}
