import { TfError } from '@tokenflow/contracts';
import type { z } from 'zod';
import { type JsonLimits, scanJson } from './json-scan';
import { arrayTooLongMessage, emptyArrayMessage, type LimitViolation, REQUEST_LIMITS, stringTooLongMessage } from './request-limits';

/** The cheap pass over the raw body that runs before a schema's zod parse, bounding the work zod will do. */
export interface Preflight {
  /** The schema's own caps (array lengths), checked first: O(1) to O(messages). */
  check?: (body: Record<string, unknown>) => LimitViolation | null;
  /** Overrides of the whole-body scan's caps. */
  json?: Partial<JsonLimits>;
}

const DEFAULT_JSON_LIMITS: JsonLimits = { depth: REQUEST_LIMITS.depth, values: REQUEST_LIMITS.jsonValues, stringLength: REQUEST_LIMITS.stringLength };
const preflights = new WeakMap<z.ZodType, Preflight>();

/**
 * Attaches `preflight` to `schema`, so `validate(schema, …)` runs it before zod sees the body. Keyed by identity:
 * a schema derived from this one (`.extend()`…) needs its own.
 */
export function withPreflight<T extends z.ZodType>(schema: T, preflight: Preflight): T {
  preflights.set(schema, preflight);
  return schema;
}

/** The first cap `body` breaks: the schema's own, then nesting, size and string length over the whole body. */
function preflightViolation(preflight: Preflight | undefined, body: Record<string, unknown>): LimitViolation | null {
  return preflight?.check?.(body) ?? scanJson(body, { ...DEFAULT_JSON_LIMITS, ...preflight?.json });
}

/** Marks a refinement's message as the complete OpenAI message, rendered as is (no "Invalid value for …"). */
export const EXACT_MESSAGE = { exact: true } as const;

/** zod path → OpenAI-style param: `messages[0].content`. */
export function toParam(path: readonly PropertyKey[]): string | null {
  if (path.length === 0) return null;
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)), '');
}

/**
 * Parses `input` or throws a 400 naming the first offending parameter, the way OpenAI reports it. Every body
 * first passes the caps (the schema's preflight, then nesting and size), so zod never walks an unbounded body.
 */
export function validate<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new TfError('invalid_request', 'The request body must be a JSON object.');
  }
  const violation = preflightViolation(preflights.get(schema), input as Record<string, unknown>);
  if (violation) throw limitError(violation);
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const issue = deepest(result.error.issues);
  const param = toParam(issue.path);
  throw new TfError('invalid_request', issueMessage(issue, param, valueAt(input, issue.path)), { param });
}

/** The OpenAI 400 for a broken cap, naming the parameter. */
export function limitError(violation: LimitViolation): TfError {
  const param = toParam(violation.path);
  const where = param ?? 'body';
  let message: string;
  switch (violation.kind) {
    case 'array':
      message = arrayTooLongMessage(where, violation.max, violation.actual);
      break;
    case 'string':
      message = stringTooLongMessage(where, violation.max, violation.actual);
      break;
    case 'object':
      message = `Invalid '${where}': too many properties. Expected an object with at most ${violation.max} properties, but got an object with ${violation.actual} properties instead.`;
      break;
    case 'depth':
      message = `Invalid '${where}': nested too deeply. Expected at most ${violation.max} levels of nesting in the request body.`;
      break;
    case 'values':
      message = `Invalid '${where}': too many values. The request body may hold at most ${violation.max} JSON values (objects, arrays, strings, numbers, booleans and nulls).`;
      break;
  }
  return new TfError('invalid_request', message, { param });
}

function issueMessage(issue: z.core.$ZodIssue, param: string | null, value: unknown): string {
  if (issue.code === 'custom' && issue.params?.exact) return issue.message;
  const where = param ? `'${param}'` : 'the request body';
  // Judge "missing" by the input itself: zod's union issues do not carry the (absent) value.
  if (issue.path.length > 0 && value === undefined) return `Missing required parameter: ${where}.`;
  if (param && Array.isArray(value) && issue.code === 'too_small' && value.length === 0) return emptyArrayMessage(param);
  if (param && Array.isArray(value) && issue.code === 'too_big') return arrayTooLongMessage(param, Number(issue.maximum), value.length);
  if (param && typeof value === 'string' && issue.code === 'too_big') return stringTooLongMessage(param, Number(issue.maximum), value.length);
  // A discriminated union whose tag matched no option: name the options, as OpenAI does.
  if (issue.code === 'invalid_union' && issue.discriminator && 'options' in issue && issue.options?.length) {
    const got = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
    return `Invalid value for ${where}: ${got} is not supported; supported values are: ${listOr(issue.options)}.`;
  }
  return `Invalid value for ${where}: ${issue.message}.`;
}

/** `'a', 'b', or 'c'`, as OpenAI lists supported values. */
function listOr(options: readonly unknown[]): string {
  const quoted = options.map((o) => `'${String(o)}'`);
  return quoted.length < 3 ? quoted.join(' or ') : `${quoted.slice(0, -1).join(', ')}, or ${quoted[quoted.length - 1]}`;
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
