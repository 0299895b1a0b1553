/**
 * Recorded from Alibaba Cloud Model Studio's OpenAI-compatible mode docs: usage arrives in a final chunk with empty
 * `choices` when `stream_options.include_usage` is set; errors are OpenAI-shaped with DashScope codes.
 */
export const STREAM_WITH_USAGE_CHUNK = `data: {"choices":[{"delta":{"content":"","role":"assistant"},"index":0,"logprobs":null,"finish_reason":null}],"object":"chat.completion.chunk","usage":null,"created":1735000000,"system_fingerprint":null,"model":"qwen-plus","id":"chatcmpl-3f8a1c2e-5b6d-9e0f-a1b2-c3d4e5f6a7b8"}

data: {"choices":[{"finish_reason":null,"delta":{"content":"我是"},"index":0,"logprobs":null}],"object":"chat.completion.chunk","usage":null,"created":1735000000,"system_fingerprint":null,"model":"qwen-plus","id":"chatcmpl-3f8a1c2e-5b6d-9e0f-a1b2-c3d4e5f6a7b8"}

data: {"choices":[{"finish_reason":"stop","delta":{"content":"通义千问。"},"index":0,"logprobs":null}],"object":"chat.completion.chunk","usage":null,"created":1735000000,"system_fingerprint":null,"model":"qwen-plus","id":"chatcmpl-3f8a1c2e-5b6d-9e0f-a1b2-c3d4e5f6a7b8"}

data: {"choices":[],"object":"chat.completion.chunk","usage":{"prompt_tokens":22,"completion_tokens":5,"total_tokens":27,"prompt_tokens_details":{"cached_tokens":0}},"created":1735000000,"system_fingerprint":null,"model":"qwen-plus","id":"chatcmpl-3f8a1c2e-5b6d-9e0f-a1b2-c3d4e5f6a7b8"}

data: [DONE]

`;

export const EMBEDDINGS_RESPONSE = JSON.stringify({
  data: [
    { embedding: [0.0123, -0.0456, 0.0789], index: 0, object: 'embedding' },
    { embedding: [0.0321, 0.0654, -0.0987], index: 1, object: 'embedding' },
  ],
  model: 'text-embedding-v4',
  object: 'list',
  usage: { prompt_tokens: 14, total_tokens: 14 },
  id: '5a1b2c3d-e4f5-6789-abcd-ef0123456789',
});

export const ERRORS = {
  arrearage: { status: 400, body: '{"error":{"message":"Access denied, please make sure your account is in good standing.","type":"Arrearage","param":null,"code":"Arrearage"},"request_id":"b7e4c7f2-0f7e-9b53-9c62-0e9d1f1c2a3b"}' },
  invalidKey: { status: 401, body: '{"error":{"message":"Incorrect API key provided. ","type":"invalid_request_error","param":null,"code":"invalid_api_key"},"request_id":"2ea3ae9e-5b52-9b1c-a4a4-8f0e1a8c9d7e"}' },
  inputLength: { status: 400, body: '{"error":{"message":"<400> InternalError.Algo.InvalidParameter: Range of input length should be [1, 129024]","type":"invalid_request_error","param":null,"code":"invalid_parameter_error"},"request_id":"5d0c1b2a-3e4f-5a6b-7c8d-9e0f1a2b3c4d"}' },
  inspection: { status: 400, body: '{"error":{"message":"Input data may contain inappropriate content.","type":"data_inspection_failed","param":null,"code":"data_inspection_failed"},"request_id":"1f2e3d4c-5b6a-7980-a1b2-c3d4e5f6a7b8"}' },
} as const;
