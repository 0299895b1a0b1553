import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * Responses API stream events: each `type` → the component its event must validate against (the members of the spec's
 * `ResponseStreamEvent` a chat-backed gateway can produce; a `type` not listed here is itself a finding).
 */
export const RESPONSE_EVENT_SCHEMAS = {
  'response.created': 'ResponseCreatedEvent',
  'response.in_progress': 'ResponseInProgressEvent',
  'response.completed': 'ResponseCompletedEvent',
  'response.failed': 'ResponseFailedEvent',
  'response.incomplete': 'ResponseIncompleteEvent',
  'response.output_item.added': 'ResponseOutputItemAddedEvent',
  'response.output_item.done': 'ResponseOutputItemDoneEvent',
  'response.content_part.added': 'ResponseContentPartAddedEvent',
  'response.content_part.done': 'ResponseContentPartDoneEvent',
  'response.output_text.delta': 'ResponseTextDeltaEvent',
  'response.output_text.done': 'ResponseTextDoneEvent',
  'response.refusal.delta': 'ResponseRefusalDeltaEvent',
  'response.refusal.done': 'ResponseRefusalDoneEvent',
  'response.function_call_arguments.delta': 'ResponseFunctionCallArgumentsDeltaEvent',
  'response.function_call_arguments.done': 'ResponseFunctionCallArgumentsDoneEvent',
  'response.reasoning_summary_part.added': 'ResponseReasoningSummaryPartAddedEvent',
  'response.reasoning_summary_part.done': 'ResponseReasoningSummaryPartDoneEvent',
  'response.reasoning_summary_text.delta': 'ResponseReasoningSummaryTextDeltaEvent',
  'response.reasoning_summary_text.done': 'ResponseReasoningSummaryTextDoneEvent',
  'response.reasoning_text.delta': 'ResponseReasoningTextDeltaEvent',
  'response.reasoning_text.done': 'ResponseReasoningTextDoneEvent',
  error: 'ResponseErrorEvent',
} as const;
export type ResponseEventType = keyof typeof RESPONSE_EVENT_SCHEMAS;
export type ResponseEventSchema = (typeof RESPONSE_EVENT_SCHEMAS)[ResponseEventType];

/** The top-level components the conformance suite validates responses against. */
export const TOP_LEVEL = [
  'CreateChatCompletionResponse',
  'CreateChatCompletionStreamResponse',
  'CreateCompletionResponse',
  'CreateEmbeddingResponse',
  'ListModelsResponse',
  'Model',
  'ErrorResponse',
  'Response',
  'ResponseItemList',
  ...(Object.values(RESPONSE_EVENT_SCHEMAS) as ResponseEventSchema[]),
] as const;
export type TopLevel = (typeof TOP_LEVEL)[number];

const BUNDLE_ID = 'openai-openapi.json';

// The JSON sits next to this file in the source tree; tsc does not copy it to dist, so read it from the source path.
const sourceDir = __dirname.replace(`${sep}dist${sep}e2e${sep}`, `${sep}e2e${sep}`);

export function loadBundle(): { $defs: Record<string, unknown> } {
  return JSON.parse(readFileSync(join(sourceDir, 'openai-schemas.json'), 'utf8'));
}

let compiled: Map<string, ValidateFunction> | undefined;

/**
 * Compiles every vendored component once (strict ajv: an unknown keyword or bad ref fails here, not silently).
 * Two strict checks are off, both compile-time lints that change no validation result: strictTypes, because OpenAPI
 * puts `discriminator` next to `oneOf` without `type`; strictRequired, because the spec's `*Resource` schemas
 * (`allOf` of a base and `{required: [id, type]}`) require properties their own branch does not declare.
 */
export function validators(): Map<string, ValidateFunction> {
  if (compiled) return compiled;
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allErrors: true, discriminator: true });
  addFormats(ajv);
  // OpenAPI formats with no JSON Schema meaning beyond their type.
  ajv.addFormat('unixtime', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  const bundle = loadBundle();
  ajv.addSchema({ $id: BUNDLE_ID, ...bundle });
  compiled = new Map();
  for (const name of Object.keys(bundle.$defs)) {
    compiled.set(name, ajv.compile({ $ref: `${BUNDLE_ID}#/$defs/${name}` }));
  }
  return compiled;
}

/** Every violation of `schema` by `value`, one line each (`<instance path> <message>`), empty when it conforms. */
export function violations(schema: TopLevel | string, value: unknown): string[] {
  const v = validators().get(schema);
  if (!v) throw new Error(`no vendored schema ${schema}`);
  if (v(value)) return [];
  return (v.errors ?? []).map(formatError);
}

function formatError(e: ErrorObject): string {
  const params = Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : '';
  return `${e.instancePath || '/'} ${e.message ?? e.keyword}${params} (schema ${e.schemaPath})`;
}
