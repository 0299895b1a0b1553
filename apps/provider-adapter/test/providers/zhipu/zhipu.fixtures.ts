/**
 * Zhipu wire formats, recorded verbatim (String.raw keeps every escape as it was on the wire).
 *
 * - TEXT_STREAM: the streaming guide's response example (docs.z.ai/guides/capabilities/streaming, the English edition
 *   of docs.bigmodel.cn/cn/guide/capabilities/streaming), including its literal `...` elision line, which an SSE
 *   parser ignores; only the blank line that ends the last SSE event is added. Usage, with
 *   `prompt_tokens_details.cached_tokens`, is on the last chunk, beside finish_reason.
 * - THINKING_TOOL_STREAM, MULTI_TOOL_STREAM, MINUS_ONE_INDEX_TOOL_STREAM: Zhipu's docs show no tool-call or thinking
 *   stream, so these are public recordings of the real API (glm-4.5 on api.z.ai's paas/v4, from
 *   charmbracelet/fantasy `providertests/testdata/TestOpenAICompatibleCommon/thinking-streaming-zai-glm-4.5.yaml`
 *   and `zai-glm-4.5/multi_tool_streaming.yaml`; glm-4.5-flash from a public proxy's recorded test). Only events
 *   are left out (the long runs of one-word reasoning deltas); those kept are byte for byte.
 *   What they show: `reasoning_content` deltas, tool calls arriving whole, `finish_reason: "tool_calls"` repeated on
 *   every tool-call chunk and on the usage chunk, and (glm-4.5-flash) a tool call with `index: -1`.
 * - Error bodies: the documented `Error` schema (`{"error":{"code","message"}}`, chat API reference) with the codes
 *   and messages of the error-code table (docs.bigmodel.cn/cn/api/api-code); 1214's `${field}` filled in.
 */

export const TEXT_STREAM = String.raw`data: {"id":"1","created":1677652288,"model":"glm-5","choices":[{"index":0,"delta":{"content":"Spring"},"finish_reason":null}]}

data: {"id":"1","created":1677652288,"model":"glm-5","choices":[{"index":0,"delta":{"content":" comes"},"finish_reason":null}]}

data: {"id":"1","created":1677652288,"model":"glm-5","choices":[{"index":0,"delta":{"content":" with"},"finish_reason":null}]}

...

data: {"id":"1","created":1677652288,"model":"glm-5","choices":[{"index":0,"finish_reason":"stop","delta":{"role":"assistant","content":""}}],"usage":{"prompt_tokens":8,"completion_tokens":262,"total_tokens":270,"prompt_tokens_details":{"cached_tokens":0}}}

data: [DONE]

`;

export const THINKING_TOOL_STREAM = String.raw`data: {"id":"202509251819450b8e121651934f8d","created":1758795585,"model":"glm-4.5","choices":[{"index":0,"delta":{"role":"assistant","content":"\n"}}]}

data: {"id":"202509251819450b8e121651934f8d","created":1758795585,"model":"glm-4.5","choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":"The"}}]}

data: {"id":"202509251819450b8e121651934f8d","created":1758795585,"model":"glm-4.5","choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":" user"}}]}

data: {"id":"202509251819450b8e121651934f8d","created":1758795585,"model":"glm-4.5","choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":" \""}}]}

data: {"id":"202509251819450b8e121651934f8d","created":1758795585,"model":"glm-4.5","choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":"location"}}]}

data: {"id":"202509251819450b8e121651934f8d","created":1758795585,"model":"glm-4.5","choices":[{"index":0,"delta":{"role":"assistant","content":"\n"}}]}

data: {"id":"202509251819450b8e121651934f8d","created":1758795585,"model":"glm-4.5","choices":[{"index":0,"delta":{"role":"assistant","content":"I"}}]}

data: {"id":"202509251819450b8e121651934f8d","created":1758795585,"model":"glm-4.5","choices":[{"index":0,"delta":{"role":"assistant","content":"'ll"}}]}

data: {"id":"202509251819450b8e121651934f8d","created":1758795585,"model":"glm-4.5","choices":[{"index":0,"finish_reason":"tool_calls","delta":{"tool_calls":[{"id":"call_db9178c4859a49d799521c00","index":0,"type":"function","function":{"name":"weather","arguments":"{\"location\": \"Florence, Italy\"}"}}]}}]}

data: {"id":"202509251819450b8e121651934f8d","created":1758795585,"model":"glm-4.5","choices":[{"index":0,"finish_reason":"tool_calls","delta":{"role":"assistant","content":""}}],"usage":{"prompt_tokens":179,"completion_tokens":94,"total_tokens":273,"prompt_tokens_details":{"cached_tokens":178}}}

data: [DONE]

`;

export const MULTI_TOOL_STREAM = String.raw`data: {"id":"20250926190620c633be90e4bb4b9f","created":1758884780,"model":"glm-4.5","choices":[{"index":0,"delta":{"role":"assistant","content":"\n"}}]}

data: {"id":"20250926190620c633be90e4bb4b9f","created":1758884780,"model":"glm-4.5","choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":"The"}}]}

data: {"id":"20250926190620c633be90e4bb4b9f","created":1758884780,"model":"glm-4.5","choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning_content":" "}}]}

data: {"id":"20250926190620c633be90e4bb4b9f","created":1758884780,"model":"glm-4.5","choices":[{"index":0,"delta":{"role":"assistant","content":".\n"}}]}

data: {"id":"20250926190620c633be90e4bb4b9f","created":1758884780,"model":"glm-4.5","choices":[{"index":0,"finish_reason":"tool_calls","delta":{"tool_calls":[{"id":"call_2dbb7568bf254f7cb91b4a09","index":0,"type":"function","function":{"name":"add","arguments":"{\"a\": 2, \"b\": 3}"}}]}}]}

data: {"id":"20250926190620c633be90e4bb4b9f","created":1758884780,"model":"glm-4.5","choices":[{"index":0,"finish_reason":"tool_calls","delta":{"tool_calls":[{"id":"call_88cb0be022f94339af640b13","index":1,"type":"function","function":{"name":"multiply","arguments":"{\"a\": 2, \"b\": 3}"}}]}}]}

data: {"id":"20250926190620c633be90e4bb4b9f","created":1758884780,"model":"glm-4.5","choices":[{"index":0,"finish_reason":"tool_calls","delta":{"role":"assistant","content":""}}],"usage":{"prompt_tokens":282,"completion_tokens":178,"total_tokens":460,"prompt_tokens_details":{"cached_tokens":43}}}

data: [DONE]

`;

export const MINUS_ONE_INDEX_TOOL_STREAM = String.raw`data: {"id":"2025091420174501de064dedfa4b68","created":1757852265,"model":"glm-4.5-flash","choices":[{"index":0,"delta":{"role":"assistant","content":"\n"}}]}

data: {"id":"2025091420174501de064dedfa4b68","created":1757852265,"model":"glm-4.5-flash","choices":[{"index":0,"finish_reason":"tool_calls","delta":{"tool_calls":[{"id":"call_4BgN84hpTbmswCBFSC9ggw","index":-1,"type":"function","function":{"name":"add","arguments":"{\"a\": 365, \"b\": 96}"}}]}}]}

data: {"id":"2025091420174501de064dedfa4b68","created":1757852265,"model":"glm-4.5-flash","choices":[{"index":0,"finish_reason":"tool_calls","delta":{"role":"assistant","content":""}}],"usage":{"prompt_tokens":170,"completion_tokens":72,"total_tokens":242,"prompt_tokens_details":{"cached_tokens":43}}}

data: [DONE]

`;

/** The embeddings response of the API reference's example (docs.bigmodel.cn/api-reference/模型-api/文本嵌入), with values. */
export const EMBEDDINGS_RESPONSE = String.raw`{"model":"embedding-3","object":"list","data":[{"index":1,"object":"embedding","embedding":[0.25,-0.5]},{"index":0,"object":"embedding","embedding":[0.125,0.75]}],"usage":{"prompt_tokens":12,"completion_tokens":0,"total_tokens":12}}`;

const body = (code: string, message: string): string => JSON.stringify({ error: { code, message } });

export const ERRORS = {
  authFailed: { status: 401, body: body('1000', '身份验证失败') },
  noAuthHeader: { status: 401, body: body('1001', 'Header 中未收到 Authentication 参数，无法进行身份验证') },
  badToken: { status: 401, body: body('1002', 'Authentication Token 非法，请确认 Authentication Token 正确传递') },
  arrears: { status: 429, body: body('1113', '您的账户已欠费，请充值后重试') },
  dailyLimit: { status: 429, body: body('1304', '该 API 已达今日调用次数限额，如有更多需求，请联系客服购买') },
  promptTooLong: { status: 400, body: body('1261', 'Prompt 超长') },
  badParameters: { status: 400, body: body('1210', 'API 调用参数有误，请检查文档') },
  badField: { status: 400, body: body('1214', 'messages 参数非法。请检查文档') },
  sensitive: { status: 400, body: body('1301', '系统检测到输入或生成内容可能包含不安全或敏感内容，请您避免输入易产生敏感内容的提示语，感谢您的配合') },
  concurrency: { status: 429, body: body('1302', '您当前使用该 API 的并发数过高，请降低并发，或联系客服增加限额') },
  frequency: { status: 429, body: body('1303', '您当前使用该 API 的频率过高，请降低频率，或联系客服增加限额') },
  trafficLimit: { status: 429, body: body('1305', '该 API 已触发流量限制') },
  modelMissing: { status: 400, body: body('1211', '模型不存在，请检查模型代码') },
  internal: { status: 500, body: body('500', '内部错误') },
} as const;

/** An error reported inside a 200 stream: the same `Error` schema as a data event. */
export const STREAM_ERROR_EVENT = body('1301', '系统检测到输入或生成内容可能包含不安全或敏感内容，请您避免输入易产生敏感内容的提示语，感谢您的配合');
