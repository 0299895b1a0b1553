/**
 * A system instruction asking for JSON only, for upstreams (or models) that cannot be held to a schema by the API
 * itself: Zhipu's `json_object` mode keeps the answer valid JSON but knows nothing of a schema, and Claude models
 * before structured outputs take no format at all. The schema rides in the prompt so a real model can follow it;
 * whether it does is best effort — nothing upstream enforces it.
 */
export function jsonInstruction(schema?: Record<string, unknown>): string {
  const rule = 'and nothing else: no prose, no Markdown, no code fences.';
  if (!schema) return `Respond with a single valid JSON object ${rule}`;
  return `Respond with a single valid JSON value ${rule} It must conform to this JSON Schema:\n${JSON.stringify(schema)}`;
}

/**
 * The schema as a system message after the caller's leading system messages (where models read their instructions);
 * `messages` unchanged without a schema.
 */
export function withJsonInstruction<M extends { role?: unknown }>(messages: M[], schema: Record<string, unknown> | undefined): (M | { role: 'system'; content: string })[] {
  if (!schema) return messages;
  const at = messages.findIndex((m) => m.role !== 'system');
  const instruction = { role: 'system' as const, content: jsonInstruction(schema) };
  return at < 0 ? [...messages, instruction] : [...messages.slice(0, at), instruction, ...messages.slice(at)];
}

/** The `schema` of an OpenAI `response_format: {type:'json_schema', json_schema:{schema}}`, if it has one. */
export function jsonSchemaOf(format: unknown): Record<string, unknown> | undefined {
  if (!isRecord(format) || format.type !== 'json_schema' || !isRecord(format.json_schema)) return undefined;
  const schema = format.json_schema.schema;
  return isRecord(schema) ? schema : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
