import type { z } from 'zod';
import { OpenAiError } from './openai-error';

/**
 * Validates a JSON body against a schema; any problem is a 400 naming the offending parameter, as OpenAI reports
 * it. Providers with another error format re-render that error (it carries the message, param and code).
 */
export function validateBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw OpenAiError.invalidRequest('The request body must be a JSON object.');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = formatPath(issue.path);
  if (valueAt(body, issue.path) === undefined) {
    throw OpenAiError.invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
  }
  throw OpenAiError.invalidRequest(`Invalid '${param}': ${issue.message}`, param, 'invalid_value');
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i ? '.' : ''}${String(key)}`)).join('');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown> | undefined)?.[key], root);
}
