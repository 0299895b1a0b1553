import type { MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages';

/** Sampling fields the 1.x SDK no longer types (deprecated) but older SDKs and raw HTTP clients still send. */
export interface LegacySampling {
  temperature?: number;
  top_p?: number;
  top_k?: number;
}

/** A tiny valid PNG, base64. */
export const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

/**
 * A conversation as Claude Code-like clients send it, typed by the official SDK so tsc proves it is a request
 * the SDK would send: system blocks with cache breakpoints, both image sources, a thinking turn with a tool call,
 * tool results (text, failed, with an image) followed by more user text, and tools with a forced choice.
 */
export function richRequest(): MessageCreateParamsNonStreaming & LegacySampling {
  const sdkTyped: MessageCreateParamsNonStreaming = {
    model: 'claude-sonnet-4-5',
    max_tokens: 8_192,
    system: [
      { type: 'text', text: 'You are a coding agent.' },
      { type: 'text', text: 'Answer briefly.', cache_control: { type: 'ephemeral' } },
    ],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these pictures? Then read config.json.' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Two images; then the file.', signature: 'sig-1' },
          { type: 'redacted_thinking', data: 'opaque' },
          { type: 'text', text: 'A chart and a cat. Reading the file now.' },
          { type: 'tool_use', id: 'toolu_01', name: 'read_file', input: { path: 'config.json' } },
          { type: 'tool_use', id: 'toolu_02', name: 'screenshot', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01', content: 'ENOENT: no such file', is_error: true },
          {
            type: 'tool_result',
            tool_use_id: 'toolu_02',
            content: [
              { type: 'text', text: 'Screen captured.' },
              { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'AAAA' } },
            ],
          },
          { type: 'text', text: 'Try settings.json instead.' },
        ],
      },
    ],
    tools: [
      {
        name: 'read_file',
        description: 'Read a file from disk.',
        input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
        cache_control: { type: 'ephemeral' },
      },
      { name: 'screenshot', input_schema: { type: 'object', properties: {} } },
    ],
    tool_choice: { type: 'tool', name: 'read_file', disable_parallel_tool_use: true },
    thinking: { type: 'enabled', budget_tokens: 4_096 },
    metadata: { user_id: 'user-42' },
    stop_sequences: ['</answer>'],
  };
  return { ...sdkTyped, temperature: 1, top_p: 0.95, top_k: 40 };
}
