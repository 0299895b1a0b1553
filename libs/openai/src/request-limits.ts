/**
 * Caps on a request's shape, checked on the raw body before zod walks it: zod parses every element of an array
 * before it checks `.max`, so a 9 MB body of 700k tiny messages used to cost seconds and ~800 MB before its 400.
 * Where OpenAI enforces a cap the value is OpenAI's (its own 400s, quoted below); elsewhere it is generous and
 * says why. The error wording is OpenAI's `array_above_max_length` / `string_above_max_length` wording.
 */
export const REQUEST_LIMITS = {
  /** OpenAI: "Invalid 'messages': array too long. Expected an array with maximum length 2048…". */
  messages: 2048,
  /** Parts in one message's `content`. OpenAI documents none (it takes up to 500 images a request): 2× that. */
  contentParts: 1024,
  /** OpenAI: "Invalid 'messages[21].tool_calls': array too long. Expected an array with maximum length 128…". */
  toolCalls: 128,
  /** OpenAI: "Invalid 'tools': array too long. Expected an array with maximum length 128…". */
  tools: 128,
  /** OpenAI's API reference: "Up to 4 sequences". */
  stop: 4,
  /** OpenAI's API reference: `n` between 1 and 128. */
  n: 128,
  /** OpenAI takes at most 300 `logit_bias` entries. */
  logitBias: 300,
  /** OpenAI's `metadata`: "Set of 16 key-value pairs… keys… 64 characters… values… 512 characters". */
  metadataKeys: 16,
  metadataKeyLength: 64,
  metadataValueLength: 512,
  /** OpenAI: function names are `^[a-zA-Z0-9_-]{1,64}$`. */
  functionName: 64,
  /** OpenAI documents no cap for `user`; an end-user id or a hash of one fits easily in 512. */
  user: 512,
  /** OpenAI's API reference: `safety_identifier` "with a maximum length of 64 characters". */
  safetyIdentifier: 64,
  /** OpenAI's embeddings reference: "any array must be 2048 dimensions or less" (inputs per request). */
  embeddingInputs: 2048,
  /** Prompts in one legacy Completions batch; OpenAI documents none, so the embeddings cap is reused. */
  prompts: 2048,
  /**
   * One string: OpenAI's "string too long. Expected a string with maximum length 10485760" for message content.
   * Binary payloads (`url`, `data`, `file_data`: base64 images, audio, files) are bounded by the 20 MB body limit
   * alone, as a base64 image over 7.5 MB is already longer than this and OpenAI takes images up to 20 MB.
   */
  stringLength: 10_485_760,
  /**
   * Nesting, counting the body itself as 1. JSON Schemas in `tools[].function.parameters` and
   * `response_format.json_schema.schema` nest 10–20 schema levels (2 JSON levels each, via `properties`), which
   * starts 5 levels down: 45 at most. Deeper bodies would also overflow the stack of the recursive
   * `JSON.stringify` that forwards them.
   */
  depth: 64,
  /**
   * JSON values (objects, arrays, strings, numbers, booleans, nulls) in one chat body. A heavy legitimate request
   * (2,048 agent turns with tool calls, 128 tool schemas, a large response schema) holds under 100k; this bounds
   * zod's work to a few tens of milliseconds.
   */
  jsonValues: 250_000,
  /**
   * The same for `/v1/completions` and `/v1/embeddings`, whose prompt or input may be token ids, one value per
   * token: OpenAI takes 300k tokens per embeddings request, and a token-id prompt fills a 1M context.
   */
  tokenIdJsonValues: 1_100_000,
} as const;

/** A location in the body, as zod reports paths: `['messages', 0, 'content']`. */
export type JsonPath = readonly (string | number)[];

/** A cap the raw body breaks; each API renders it in its own wording and parameter naming. */
export type LimitViolation =
  | { kind: 'array' | 'object' | 'string'; path: JsonPath; max: number; actual: number }
  | { kind: 'depth' | 'values'; path: JsonPath; max: number };

/** `value` is an array longer than `max`. */
export function arrayCap(value: unknown, path: JsonPath, max: number): LimitViolation | null {
  return Array.isArray(value) && value.length > max ? { kind: 'array', path, max, actual: value.length } : null;
}

/** `value` is a plain object with more than `max` keys. */
export function propertyCap(value: unknown, path: JsonPath, max: number): LimitViolation | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const actual = Object.keys(value).length;
  return actual > max ? { kind: 'object', path, max, actual } : null;
}

export function arrayTooLongMessage(param: string, max: number, actual: number): string {
  return `Invalid '${param}': array too long. Expected an array with maximum length ${max}, but got an array with length ${actual} instead.`;
}

export function stringTooLongMessage(param: string, max: number, actual: number): string {
  return `Invalid '${param}': string too long. Expected a string with maximum length ${max}, but got a string with length ${actual} instead.`;
}

export function emptyArrayMessage(param: string): string {
  return `Invalid '${param}': empty array. Expected an array with minimum length 1, but got an empty array instead.`;
}
