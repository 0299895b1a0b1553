import { TfError } from '@tokenflow/contracts';
import { toParam, validate } from '@tokenflow/openai';
import type { z } from 'zod';

/**
 * Admin input ends up in Postgres, which cannot store a NUL character in text: such a value is the caller's 400,
 * named, instead of a database error (a 500 that used to log the row it carried).
 */
export function adminValidate<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const parsed = validate(schema, input);
  const nul = nulPath(parsed);
  if (nul) throw new TfError('invalid_request', `Invalid value for '${toParam(nul) ?? 'body'}': text must not contain NUL (\\u0000) characters.`, { param: toParam(nul) });
  return parsed;
}

/** A path parameter (an id, a model name) checked the same way, and bounded. */
export function adminParam(value: string, name: string): string {
  if (value.length > 512 || value.includes('\u0000')) throw new TfError('invalid_request', `Invalid value for '${name}'.`, { param: name });
  return value;
}

/** The path of the first string (key or value) holding a NUL, iteratively (validated bodies are bounded in size). */
function nulPath(root: unknown): (string | number)[] | null {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [] }];
  while (stack.length) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path;
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, path: [...path, i] }));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k.includes('\u0000')) return [...path, k];
        stack.push({ value: v, path: [...path, k] });
      }
    }
  }
  return null;
}
