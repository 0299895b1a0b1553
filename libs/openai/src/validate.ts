import { TfError } from '@tokenflow/contracts';
import type { z } from 'zod';

/** zod path → OpenAI-style param: `messages[0].content`. */
export function toParam(path: PropertyKey[]): string | null {
  if (path.length === 0) return null;
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)), '');
}

/** Parses `input` or throws a 400 naming the first offending parameter, the way OpenAI reports it. */
export function validate<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new TfError('invalid_request', 'The request body must be a JSON object.');
  }
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const issue = deepest(result.error.issues);
  const param = toParam(issue.path);
  const where = param ? `'${param}'` : 'the request body';
  // Judge "missing" by the input itself: zod's union issues do not carry the (absent) value.
  const message =
    issue.path.length > 0 && valueAt(input, issue.path) === undefined
      ? `Missing required parameter: ${where}.`
      : `Invalid value for ${where}: ${issue.message}.`;
  throw new TfError('invalid_request', message, { param });
}

/** For unions zod reports the union; the most specific nested issue is the one a user can act on. */
function deepest(issues: z.core.$ZodIssue[]): z.core.$ZodIssue {
  let best = issues[0];
  for (const issue of issues) {
    if (issue.code === 'invalid_union' && issue.errors.length) {
      for (const branch of issue.errors) {
        const inner = deepest(branch.map((i) => ({ ...i, path: [...issue.path, ...i.path] })));
        if (inner.path.length > best.path.length) best = inner;
      }
    } else if (issue.path.length > best.path.length) {
      best = issue;
    }
  }
  return best;
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}
