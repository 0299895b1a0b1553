/**
 * Recorded from DeepSeek's API docs ("Reasoning Model (deepseek-reasoner)", "Context Caching", "Error Codes"):
 * a reasoner stream (reasoning_content deltas before content, keep-alive comments, usage on the last chunk with
 * the cache-hit split and reasoning tokens) and error bodies.
 */
export const REASONER_STREAM = `: keep-alive

data: {"id":"b2a1d3d0-7e8f-4c1a-9f5e-3c2d1e0f9a8b","object":"chat.completion.chunk","created":1737000000,"model":"deepseek-reasoner","system_fingerprint":"fp_7e73fd9a08_prod0225","choices":[{"index":0,"delta":{"role":"assistant","content":null,"reasoning_content":""},"logprobs":null,"finish_reason":null}]}

data: {"id":"b2a1d3d0-7e8f-4c1a-9f5e-3c2d1e0f9a8b","object":"chat.completion.chunk","created":1737000000,"model":"deepseek-reasoner","system_fingerprint":"fp_7e73fd9a08_prod0225","choices":[{"index":0,"delta":{"content":null,"reasoning_content":"9.11 vs 9.8"},"logprobs":null,"finish_reason":null}]}

: keep-alive

data: {"id":"b2a1d3d0-7e8f-4c1a-9f5e-3c2d1e0f9a8b","object":"chat.completion.chunk","created":1737000000,"model":"deepseek-reasoner","system_fingerprint":"fp_7e73fd9a08_prod0225","choices":[{"index":0,"delta":{"content":"9.8 is greater.","reasoning_content":null},"logprobs":null,"finish_reason":null}]}

data: {"id":"b2a1d3d0-7e8f-4c1a-9f5e-3c2d1e0f9a8b","object":"chat.completion.chunk","created":1737000000,"model":"deepseek-reasoner","system_fingerprint":"fp_7e73fd9a08_prod0225","choices":[{"index":0,"delta":{"content":"","reasoning_content":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":17,"completion_tokens":120,"total_tokens":137,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":112},"prompt_cache_hit_tokens":0,"prompt_cache_miss_tokens":17}}

data: [DONE]

`;

/** deepseek-chat with a cache hit: only the DeepSeek-specific split says so (no prompt_tokens_details). */
export const CHAT_CACHE_HIT_USAGE = {
  prompt_tokens: 1280,
  completion_tokens: 20,
  total_tokens: 1300,
  prompt_cache_hit_tokens: 1024,
  prompt_cache_miss_tokens: 256,
};

export const ERRORS = {
  insufficientBalance: { status: 402, body: '{"error":{"message":"Insufficient Balance","type":"unknown_error","param":null,"code":"invalid_request_error"}}' },
  authentication: { status: 401, body: '{"error":{"message":"Authentication Fails, Your api key: ****abcd is invalid","type":"authentication_error","param":null,"code":"invalid_request_error"}}' },
  context: {
    status: 400,
    body: `{"error":{"message":"This model's maximum context length is 131072 tokens. However, you requested 140000 tokens (132000 in the messages, 8000 in the completion). Please reduce the length of the messages or completion.","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}`,
  },
  invalidParameters: { status: 422, body: '{"error":{"message":"Invalid max_tokens value, the valid range of max_tokens is [1, 8192]","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}' },
  overloaded: { status: 503, body: '{"error":{"message":"Server overloaded, please try again later","type":"server_error","param":null,"code":"server_error"}}' },
} as const;
