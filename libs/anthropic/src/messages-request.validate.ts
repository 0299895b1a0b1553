import { TfError } from '@tokenflow/contracts';
import { type LimitViolation, REQUEST_LIMITS, scanJson } from '@tokenflow/openai';
import type { z } from 'zod';
import { messagesRequestLimits } from './messages-request.limits';
import { type CountTokensRequest, countTokensRequestSchema, type MessagesRequest, messagesRequestSchema } from './messages-request.schema';

/** Parses a `/v1/messages` body or throws a 400 whose message starts with the field, as Anthropic's do. */
export function validateMessagesRequest(body: unknown): MessagesRequest {
  return validateAnthropic(messagesRequestSchema, body);
}

/** Parses a `/v1/messages/count_tokens` body (no `max_tokens`, no `stream`). */
export function validateCountTokensRequest(body: unknown): CountTokensRequest {
  return validateAnthropic(countTokensRequestSchema, body);
}

/** zod path → Anthropic's param: `messages.0.content.1.source`. */
export function toAnthropicParam(path: readonly PropertyKey[]): string | null {
  return path.length ? path.map(String).join('.') : null;
}

function validateAnthropic<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new TfError('invalid_request', 'The request body must be a JSON object.');
  }
  // Caps first, on the raw body: zod parses every element of an array before it checks the array's length.
  const violation = messagesRequestLimits(body as Record<string, unknown>) ?? scanJson(body, BODY_LIMITS);
  if (violation) throw limitError(violation);
  const result = schema.safeParse(body, { error: anthropicWording });
  if (result.success) return result.data;
  const issue = deepest(result.error.issues);
  const param = toAnthropicParam(issue.path);
  // Anthropic names the field inside the message (`max_tokens: Field required`); its error body has no `param`.
  throw new TfError('invalid_request', param ? `${param}: ${issue.message}` : issue.message, { param });
}

const BODY_LIMITS = { depth: REQUEST_LIMITS.depth, values: REQUEST_LIMITS.jsonValues, stringLength: REQUEST_LIMITS.stringLength };

/** A broken cap as a 400 in Anthropic's form: the dotted field, then pydantic's phrasing where it has one. */
function limitError(violation: LimitViolation): TfError {
  const param = toAnthropicParam(violation.path);
  const where = param ?? 'body';
  let message: string;
  switch (violation.kind) {
    case 'array':
      message = `List should have at most ${violation.max} item${violation.max === 1 ? '' : 's'}`;
      break;
    case 'string':
      message = `String should have at most ${violation.max} characters`;
      break;
    case 'object':
      message = `Dictionary should have at most ${violation.max} items`;
      break;
    case 'depth':
      message = `Input is nested too deeply: at most ${violation.max} levels are accepted`;
      break;
    case 'values':
      message = `The request body holds too many values: at most ${violation.max} JSON values are accepted`;
      break;
  }
  return new TfError('invalid_request', `${where}: ${message}`, { param });
}

/** Anthropic validates with pydantic; its users know these phrasings, so the messages follow them. */
function anthropicWording(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type':
      return iss.input === undefined ? 'Field required' : `Input should be a valid ${typeName(iss.expected)}`;
    case 'too_small':
      return iss.origin === 'array' || iss.origin === 'string'
        ? `${iss.origin === 'array' ? 'List' : 'String'} should have at least ${iss.minimum} ${iss.origin === 'array' ? 'item' : 'character'}${Number(iss.minimum) === 1 ? '' : 's'}`
        : `Input should be greater than or equal to ${iss.minimum}`;
    case 'too_big':
      return iss.origin === 'array' || iss.origin === 'string'
        ? `${iss.origin === 'array' ? 'List' : 'String'} should have at most ${iss.maximum} ${iss.origin === 'array' ? 'item' : 'character'}${Number(iss.maximum) === 1 ? '' : 's'}`
        : `Input should be less than or equal to ${iss.maximum}`;
    case 'invalid_value':
      return `Input should be ${iss.values.map((v) => `'${String(v)}'`).join(', ')}`;
    case 'invalid_union':
      if (iss.note === 'No matching discriminator') {
        const tag = (iss.input as Record<string, unknown> | undefined)?.[String(iss.discriminator)];
        if (tag === undefined) return 'Field required';
        const options = (iss as { options?: unknown[] }).options ?? [];
        // `role` is a plain enum field in Anthropic's API, not a tagged union: pydantic's literal wording.
        if (iss.discriminator === 'role') return `Input should be ${listOr(options)}`;
        const expected = options.map((o) => `'${String(o)}'`).join(', ');
        return `Input tag '${String(tag)}' found using '${String(iss.discriminator)}' does not match any of the tags this gateway supports: ${expected}`;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** `'a' or 'b'`, `'a', 'b' or 'c'`: pydantic's list of expected literals. */
function listOr(options: readonly unknown[]): string {
  const quoted = options.map((o) => `'${String(o)}'`);
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

function typeName(expected: string): string {
  if (expected === 'array') return 'list';
  if (expected === 'object' || expected === 'record') return 'dictionary';
  if (expected === 'int') return 'integer';
  return expected;
}

/**
 * For unions zod reports the union; the most specific nested issue is the one a user can act on. A union whose
 * every branch failed on the value's own type (e.g. `content: 5`) is reported as such, naming each accepted type.
 */
function deepest(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  let best = issues[0];
  for (const issue of issues) {
    let candidate: z.core.$ZodIssue = issue;
    if (issue.code === 'invalid_union' && issue.errors.length) {
      const branches = issue.errors.map((branch) => deepest(branch.map((i) => ({ ...i, path: [...issue.path, ...i.path] }))));
      const allTypeMismatches = branches.every((b) => b.code === 'invalid_type' && b.path.length === issue.path.length);
      if (allTypeMismatches) {
        const names = branches.map((b) => `a valid ${typeName((b as z.core.$ZodIssueInvalidType).expected)}`);
        candidate = { ...issue, message: `Input should be ${names.join(' or ')}` };
      } else {
        candidate = branches.reduce((a, b) => (b.path.length > a.path.length ? b : a));
      }
    }
    if (candidate.path.length > best.path.length || best === issue) best = candidate;
  }
  return best;
}
