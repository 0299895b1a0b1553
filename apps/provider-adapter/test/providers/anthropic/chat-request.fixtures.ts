import { jsonInstruction } from '../../../src/providers/json-instruction';

/**
 * A rich OpenAI conversation and the exact Anthropic body it must become (for a model that still takes sampling
 * parameters and thinks by budget, so that every rule shows). Hand-written from both APIs' documented shapes.
 */
export const RICH_MODEL = 'claude-3-7-sonnet-20250219';

export function richOpenAiBody(): Record<string, unknown> {
  return {
    model: 'claude-sonnet',
    messages: [
      { role: 'system', content: 'You are a weather bot.' },
      {
        role: 'developer',
        content: [
          { type: 'text', text: 'Answer in French.' },
          { type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } },
        ],
      },
      { role: 'user', content: 'Hi', name: 'alice' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these pictures?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cloud.jpg', detail: 'high' } },
        ],
      },
      {
        role: 'assistant',
        content: '',
        reasoning_content: 'The user wants the weather in Paris.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"location":' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '18°C, cloudy' },
      { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'unknown location' }] },
      { role: 'system', content: 'Use Celsius.' },
      { role: 'user', content: 'And tomorrow?' },
      { role: 'assistant', content: 'Let me check.' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_3', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris","day":"tomorrow"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_3', content: '20°C' },
      { role: 'assistant', content: '' },
      { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
    ],
    tools: [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Get the weather for a place and day',
          parameters: { type: 'object', properties: { location: { type: 'string' }, day: { type: 'string' } }, required: ['location'] },
          strict: true,
        },
      },
      { type: 'function', function: { name: 'get_time' } },
    ],
    tool_choice: 'auto',
    parallel_tool_calls: false,
    stop: ['END', ''],
    temperature: 1.5,
    top_p: 0.9,
    top_k: 40,
    user: 'user-42',
    // JSON mode: a JSON-only system instruction (Anthropic's structured outputs need a schema).
    response_format: { type: 'json_object' },
    // Nothing below reaches Anthropic.
    n: 1,
    stream: false,
    stream_options: { include_usage: true },
    presence_penalty: 0.5,
    frequency_penalty: 0.2,
    logit_bias: { '50256': -100 },
    logprobs: true,
    top_logprobs: 2,
    seed: 7,
    service_tier: 'flex',
    store: true,
    metadata: { team: 'weather' },
    enable_thinking: true,
  };
}

export const RICH_ANTHROPIC_BODY = {
  model: RICH_MODEL,
  max_tokens: 4096,
  system: [
    { type: 'text', text: 'You are a weather bot.' },
    { type: 'text', text: 'Answer in French.' },
    { type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } },
    { type: 'text', text: 'Use Celsius.' },
    { type: 'text', text: jsonInstruction() },
  ],
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Hi' },
        { type: 'text', text: 'What is in these pictures?' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
        { type: 'image', source: { type: 'url', url: 'https://example.com/cloud.jpg' } },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { location: 'Paris' } },
        { type: 'tool_use', id: 'call_2', name: 'get_weather', input: {} },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'call_1', content: '18°C, cloudy' },
        { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: 'unknown location' }] },
        { type: 'text', text: 'And tomorrow?' },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'call_3', name: 'get_weather', input: { location: 'Paris', day: 'tomorrow' } },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'call_3', content: '20°C' },
        { type: 'text', text: 'Thanks' },
      ],
    },
  ],
  tools: [
    {
      name: 'get_weather',
      description: 'Get the weather for a place and day',
      input_schema: { type: 'object', properties: { location: { type: 'string' }, day: { type: 'string' } }, required: ['location'] },
    },
    { name: 'get_time', input_schema: { type: 'object', properties: {} } },
  ],
  tool_choice: { type: 'auto', disable_parallel_tool_use: true },
  stop_sequences: ['END'],
  temperature: 1,
  top_p: 0.9,
  top_k: 40,
  metadata: { user_id: 'user-42' },
  stream: true,
};
