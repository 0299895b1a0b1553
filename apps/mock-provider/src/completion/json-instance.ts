import { generateWords, seededRandom } from './word-generator';

/**
 * What a structured-output request asks for, whatever the wire format spelled it as: a JSON object of any shape
 * (`response_format: {type:'json_object'}`), or JSON matching a JSON Schema (`json_schema`, Anthropic's
 * `output_config.format`).
 */
export type StructuredFormat = { type: 'json_object' } | { type: 'json_schema'; schema: Record<string, unknown> };

/**
 * Bounds of the generated instance. The schema is caller input, so nothing here recurses or repeats without a
 * limit: past `maxDepth` nested objects/arrays, or once `maxNodes` values are written, every value is the smallest
 * of its type (`{}`, `[]`, `""`, …); `$ref` chains deeper than `maxRefDepth` resolve to `null`.
 */
export const JSON_INSTANCE_LIMITS = {
  /** Nesting of objects and arrays. */
  maxDepth: 8,
  /** Values written in total (each property, item and scalar counts one). */
  maxNodes: 500,
  /** `$ref`s followed along one path (a recursive `$defs` entry stops here). */
  maxRefDepth: 6,
  /** Properties written per object (required ones first). */
  maxProperties: 64,
  /** Items written per array unless `minItems`/`maxItems` say otherwise. */
  items: 2,
  /** Most items written per array, even when `minItems` asks for more. */
  maxItems: 32,
  /** `allOf` members merged per schema. */
  maxAllOf: 8,
  /** Longest string written, even when `minLength` asks for more. */
  maxStringLength: 256,
} as const;

/** The object a `json_object` answer holds: the mock cannot read the prompt's wishes, so one field of words. */
export const JSON_OBJECT_SCHEMA = {
  type: 'object',
  properties: { answer: { type: 'string' } },
  required: ['answer'],
} as const satisfies Record<string, unknown>;

const FORMATTED: Record<string, string> = {
  'date-time': '2024-01-01T12:00:00Z',
  date: '2024-01-01',
  time: '12:00:00Z',
  duration: 'P1D',
  email: 'mock@example.com',
  'idn-email': 'mock@example.com',
  hostname: 'example.com',
  'idn-hostname': 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  uri: 'https://example.com/mock',
  url: 'https://example.com/mock',
  'uri-reference': 'https://example.com/mock',
  iri: 'https://example.com/mock',
  uuid: '00000000-0000-4000-8000-000000000000',
};

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A deterministic instance of `schema`: the same schema and seed always give the same value. Objects get their
 * properties (all of them up to the cap, required first), strings a few generated words (an enum's or `const`'s
 * first value, a plausible value for the common `format`s), numbers within `minimum`/`maximum`, arrays `minItems`
 * items (two unless `minItems`/`maxItems` say otherwise, at most {@link JSON_INSTANCE_LIMITS.maxItems}), `anyOf`/`oneOf` their first non-null
 * branch, `allOf` its members merged, `$ref` into the schema itself (`#/$defs/…`, `#/definitions/…`, `#`), a type
 * list its first non-null type.
 */
export function jsonInstance(schema: unknown, seed: number): unknown {
  return new InstanceWriter(isSchema(schema) ? schema : {}, seed).write(schema, 0, 0);
}

/** The JSON text of a structured answer: compact, as models write it when asked for JSON. */
export function structuredText(format: StructuredFormat, seed: number): string {
  return JSON.stringify(jsonInstance(format.type === 'json_schema' ? format.schema : JSON_OBJECT_SCHEMA, seed));
}

class InstanceWriter {
  private nodes = 0;
  private readonly random: () => number;

  constructor(
    private readonly root: Schema,
    private readonly seed: number,
  ) {
    this.random = seededRandom(seed);
  }

  write(node: unknown, depth: number, refDepth: number): unknown {
    this.nodes++;
    if (node === true || node === undefined) return this.words(1);
    if (!isSchema(node)) return null;

    if (typeof node.$ref === 'string') {
      const target = refDepth < JSON_INSTANCE_LIMITS.maxRefDepth ? this.resolve(node.$ref) : undefined;
      if (target === undefined) return null;
      // Keywords next to `$ref` (allowed since 2019-09) refine the target.
      const { $ref: _ref, ...siblings } = node;
      return this.write({ ...target, ...siblings }, depth, refDepth + 1);
    }
    if ('const' in node) return node.const;
    if (Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0];

    const branches = [node.anyOf, node.oneOf].find((b): b is unknown[] => Array.isArray(b) && b.length > 0);
    if (branches) {
      const { anyOf: _a, oneOf: _o, ...rest } = node;
      const branch = branches.find((b) => !(isSchema(b) && b.type === 'null')) ?? branches[0];
      return this.write(isSchema(branch) ? { ...rest, ...branch } : branch, depth, refDepth);
    }
    if (Array.isArray(node.allOf) && node.allOf.length > 0) {
      // Counted as a `$ref` step: a member may refer back to a schema holding this `allOf`.
      return refDepth < JSON_INSTANCE_LIMITS.maxRefDepth ? this.write(this.mergeAllOf(node), depth, refDepth + 1) : null;
    }

    const exhausted = this.nodes > JSON_INSTANCE_LIMITS.maxNodes;
    switch (typeOf(node)) {
      case 'object':
        return exhausted || depth >= JSON_INSTANCE_LIMITS.maxDepth ? {} : this.object(node, depth, refDepth);
      case 'array':
        return exhausted || depth >= JSON_INSTANCE_LIMITS.maxDepth ? [] : this.array(node, depth, refDepth);
      case 'string':
        return exhausted ? this.fit('', node) : this.string(node);
      case 'integer':
        return this.number(node, true);
      case 'number':
        return this.number(node, false);
      case 'boolean':
        return true;
      case 'null':
        return null;
      default:
        return exhausted ? '' : this.words(2);
    }
  }

  private object(node: Schema, depth: number, refDepth: number): Record<string, unknown> {
    const properties = isSchema(node.properties) ? node.properties : {};
    const required = Array.isArray(node.required) ? node.required.filter((r): r is string => typeof r === 'string') : [];
    const names = [...new Set([...required, ...Object.keys(properties)])].slice(0, JSON_INSTANCE_LIMITS.maxProperties);
    const out: Record<string, unknown> = {};
    for (const name of names) {
      // `defineProperty` so a property named `__proto__` is data, not the prototype.
      Object.defineProperty(out, name, { value: this.write(Object.hasOwn(properties, name) ? properties[name] : undefined, depth + 1, refDepth), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  private array(node: Schema, depth: number, refDepth: number): unknown[] {
    // 2020-12 tuples are `prefixItems` + `items`; draft-04 ones an `items` list + `additionalItems`.
    const tuple = Array.isArray(node.prefixItems) ? node.prefixItems : Array.isArray(node.items) ? node.items : [];
    const rest = Array.isArray(node.items) ? node.additionalItems : node.items;
    const minItems = typeof node.minItems === 'number' ? node.minItems : 0;
    const maxItems = typeof node.maxItems === 'number' ? node.maxItems : Infinity;
    let count = Math.min(Math.max(minItems, JSON_INSTANCE_LIMITS.items), maxItems, JSON_INSTANCE_LIMITS.maxItems);
    if (rest === false) count = Math.min(count, tuple.length);
    const items = Array.from({ length: count }, (_, i) => this.write(i < tuple.length ? tuple[i] : rest, depth + 1, refDepth));
    if (node.uniqueItems !== true) return items;
    const seen = new Set<string>();
    return items.filter((item) => !seen.has(JSON.stringify(item)) && Boolean(seen.add(JSON.stringify(item))));
  }

  private string(node: Schema): string {
    const format = typeof node.format === 'string' ? FORMATTED[node.format] : undefined;
    if (format !== undefined) return format;
    return this.fit(this.words(2 + Math.floor(this.random() * 3)), node);
  }

  /** Padded to `minLength` and cut to `maxLength`, in code points as JSON Schema counts them. */
  private fit(text: string, node: Schema): string {
    const min = Math.min(typeof node.minLength === 'number' ? node.minLength : 0, JSON_INSTANCE_LIMITS.maxStringLength);
    const max = typeof node.maxLength === 'number' ? node.maxLength : Infinity;
    let chars = Array.from(text);
    while (chars.length < min) chars = [...chars, ...Array.from(` ${this.words(1)}`)];
    return chars.slice(0, Math.max(0, Math.min(max, JSON_INSTANCE_LIMITS.maxStringLength))).join('');
  }

  private number(node: Schema, integer: boolean): number {
    const finite = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    // Draft-04 spells exclusive bounds as booleans next to minimum/maximum.
    const exMin = finite(node.exclusiveMinimum) ?? (node.exclusiveMinimum === true ? finite(node.minimum) : undefined);
    const exMax = finite(node.exclusiveMaximum) ?? (node.exclusiveMaximum === true ? finite(node.maximum) : undefined);
    let lo = node.exclusiveMinimum === true ? undefined : finite(node.minimum);
    let hi = node.exclusiveMaximum === true ? undefined : finite(node.maximum);
    let [loOpen, hiOpen] = [false, false];
    if (exMin !== undefined && (lo === undefined || exMin >= lo)) [lo, loOpen] = [exMin, true];
    if (exMax !== undefined && (hi === undefined || exMax <= hi)) [hi, hiOpen] = [exMax, true];
    if (integer) {
      if (lo !== undefined) lo = loOpen ? Math.floor(lo) + 1 : Math.ceil(lo);
      if (hi !== undefined) hi = hiOpen ? Math.ceil(hi) - 1 : Math.floor(hi);
      [loOpen, hiOpen] = [false, false];
    }
    const from = lo ?? (hi !== undefined ? hi - 100 : 0);
    const to = hi ?? from + 100;
    if (to <= from) return from; // a single value, or bounds nothing satisfies
    const span = to - from;
    let value = integer ? from + Math.floor(this.random() * (span + 1)) : Math.round((from + this.random() * span) * 100) / 100;
    if ((loOpen && value <= from) || (hiOpen && value >= to) || value < from || value > to) value = (from + to) / 2;
    const step = finite(node.multipleOf);
    if (step !== undefined && step > 0) {
      const decimals = String(step).split('.')[1]?.length ?? 0;
      const up = Number((Math.ceil(value / step) * step).toFixed(decimals));
      const down = Number((Math.floor(value / step) * step).toFixed(decimals));
      value = up < to || (up === to && !hiOpen) ? up : down;
    }
    return value;
  }

  private words(count: number): string {
    return generateWords((this.seed + Math.floor(this.random() * 0xffffffff)) >>> 0, count).join(' ');
  }

  /** `#`, `#/$defs/x`, `#/definitions/x` or any JSON pointer into the root schema; anything else is unresolved. */
  private resolve(ref: string): Schema | undefined {
    if (ref === '#') return this.root;
    if (!ref.startsWith('#/')) return undefined;
    let node: unknown = this.root;
    for (const raw of ref.slice(2).split('/')) {
      const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
      if (!isSchema(node) || !Object.hasOwn(node, key)) return undefined;
      node = node[key];
    }
    return isSchema(node) ? node : undefined;
  }

  private mergeAllOf(node: Schema): Schema {
    const { allOf, ...rest } = node;
    const merged: Schema = { ...rest };
    for (const member of (allOf as unknown[]).slice(0, JSON_INSTANCE_LIMITS.maxAllOf)) {
      let part = member;
      // One level of `$ref` is resolved so `allOf: [{$ref}, {…}]` (the usual extension idiom) merges properties.
      if (isSchema(part) && typeof part.$ref === 'string') part = this.resolve(part.$ref) ?? {};
      if (!isSchema(part)) continue;
      const { properties, required, ...others } = part;
      for (const [key, value] of Object.entries(others)) if (!Object.hasOwn(merged, key)) merged[key] = value;
      if (isSchema(properties)) merged.properties = { ...(isSchema(merged.properties) ? merged.properties : {}), ...properties };
      if (Array.isArray(required)) merged.required = [...(Array.isArray(merged.required) ? merged.required : []), ...required];
    }
    return merged;
  }
}

/** The declared type, the first non-null of a list, or the one the keywords imply. */
function typeOf(node: Schema): string | undefined {
  const { type } = node;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return (type.find((t) => typeof t === 'string' && t !== 'null') ?? type[0]) as string | undefined;
  if (isSchema(node.properties) || Array.isArray(node.required)) return 'object';
  if ('items' in node || 'prefixItems' in node) return 'array';
  if ('minLength' in node || 'maxLength' in node || 'format' in node || 'pattern' in node) return 'string';
  if ('minimum' in node || 'maximum' in node || 'multipleOf' in node) return 'number';
  return undefined;
}
