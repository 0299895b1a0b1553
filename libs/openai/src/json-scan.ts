import type { JsonPath, LimitViolation } from './request-limits';

export interface JsonLimits {
  /** Containers from the root down, the root counting as 1. */
  depth: number;
  /** JSON values in the whole document. */
  values: number;
  /** Characters in one string (binary payload keys aside). */
  stringLength: number;
}

/** Keys whose strings are base64 or `data:` payloads (images, audio, files): the body limit bounds those. */
const BINARY_KEYS: ReadonlySet<string> = new Set(['url', 'data', 'file_data']);

interface Frame {
  readonly container: Record<string, unknown> | unknown[];
  readonly keys: string[] | null;
  readonly size: number;
  /** The child being visited. */
  index: number;
}

/**
 * The first nesting, size or string cap a parsed JSON document breaks, in one iterative pass (a recursive walk
 * is what a 100k-deep `[[[…]]]` is built to overflow). Work is bounded by the caps, not by the document: the pass
 * stops at the first container past `depth`, and counts a container's children before visiting any of them.
 */
export function scanJson(root: unknown, limits: JsonLimits): LimitViolation | null {
  const stack: Frame[] = [];
  let values = 1;
  const path = (): JsonPath => stack.map((f) => (f.keys ? f.keys[f.index] : f.index));

  const enter = (value: unknown): LimitViolation | null => {
    if (typeof value === 'string') {
      if (value.length <= limits.stringLength) return null;
      const parent = stack[stack.length - 1];
      if (parent?.keys && BINARY_KEYS.has(parent.keys[parent.index])) return null;
      return { kind: 'string', path: path(), max: limits.stringLength, actual: value.length };
    }
    if (value === null || typeof value !== 'object') return null;
    if (stack.length >= limits.depth) return { kind: 'depth', path: path(), max: limits.depth };
    const keys = Array.isArray(value) ? null : Object.keys(value);
    const size = keys ? keys.length : (value as unknown[]).length;
    values += size;
    if (values > limits.values) return { kind: 'values', path: path(), max: limits.values };
    stack.push({ container: value as Frame['container'], keys, size, index: -1 });
    return null;
  };

  const first = enter(root);
  if (first) return first;
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    top.index += 1;
    if (top.index >= top.size) {
      stack.pop();
      continue;
    }
    const child = top.keys ? (top.container as Record<string, unknown>)[top.keys[top.index]] : (top.container as unknown[])[top.index];
    const violation = enter(child);
    if (violation) return violation;
  }
  return null;
}
