/**
 * Recorded from Moonshot's platform docs ("Streaming output", "Error codes"): the last chunk of a stream carries
 * usage inside its choice (`choices[0].usage`), not beside it; cached tokens are a top-level `cached_tokens`.
 */
export const STREAM_WITH_USAGE_IN_CHOICE = `data: {"id":"cmpl-1305b94c570f447fbde3180560736287","object":"chat.completion.chunk","created":1698999575,"model":"kimi-k2-turbo-preview","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

data: {"id":"cmpl-1305b94c570f447fbde3180560736287","object":"chat.completion.chunk","created":1698999575,"model":"kimi-k2-turbo-preview","choices":[{"index":0,"delta":{"content":"你好"},"finish_reason":null}]}

data: {"id":"cmpl-1305b94c570f447fbde3180560736287","object":"chat.completion.chunk","created":1698999575,"model":"kimi-k2-turbo-preview","choices":[{"index":0,"delta":{"content":"！"},"finish_reason":null}]}

data: {"id":"cmpl-1305b94c570f447fbde3180560736287","object":"chat.completion.chunk","created":1698999575,"model":"kimi-k2-turbo-preview","choices":[{"index":0,"delta":{},"finish_reason":"stop","usage":{"prompt_tokens":19,"completion_tokens":13,"total_tokens":32,"cached_tokens":8}}]}

data: [DONE]

`;

export const ERRORS = {
  quota: { status: 429, body: '{"error":{"message":"Your account org-xxx <ak-xxx> is suspended, please check your plan and billing details","type":"exceeded_current_quota_error"}}' },
  context: { status: 400, body: '{"error":{"message":"Invalid request: Your request exceeded model token limit: 131072","type":"invalid_request_error"}}' },
  auth: { status: 401, body: '{"error":{"message":"Invalid Authentication","type":"invalid_authentication_error"}}' },
  rate: { status: 429, body: '{"error":{"message":"Your account org-xxx <ak-xxx> request reached max request: 3, please try again after 1 seconds","type":"rate_limit_reached_error"}}' },
} as const;
