import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { JSON_INSTANCE_LIMITS, JSON_OBJECT_SCHEMA, jsonInstance, structuredText } from './json-instance';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

function assertValid(schema: Record<string, unknown>, value: unknown): void {
  const validate = ajv.compile(schema);
  assert.ok(validate(value), `${JSON.stringify(value)} should match: ${ajv.errorsText(validate.errors)}`);
}

const weather = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    temp: { type: 'number' },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    observed_at: { type: 'string', format: 'date-time' },
    contact: { type: 'string', format: 'email' },
    humidity: { type: 'integer', minimum: 0, maximum: 100 },
    windy: { type: 'boolean' },
    note: { type: ['string', 'null'] },
    tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3 },
  },
  required: ['city', 'temp', 'unit', 'observed_at', 'contact', 'humidity', 'windy', 'note', 'tags'],
  additionalProperties: false,
};

describe('jsonInstance', () => {
  it('writes an object with every property, each of the right type, that validates against the schema', () => {
    const value = jsonInstance(weather, 7) as Record<string, unknown>;
    assertValid(weather, value);
    assert.deepEqual(Object.keys(value), weather.required);
    assert.equal(value.unit, 'celsius', 'an enum gives its first value');
    assert.equal(value.observed_at, '2024-01-01T12:00:00Z');
    assert.equal(value.contact, 'mock@example.com');
    assert.equal(typeof value.note, 'string', 'a type list gives its first non-null type');
    assert.match(String(value.city), /^[a-z]+( [a-z]+)+$/, 'strings are a few generated words');
  });

  it('is deterministic in schema and seed, and varies with the seed', () => {
    assert.deepEqual(jsonInstance(weather, 7), jsonInstance(weather, 7));
    assert.notDeepEqual(jsonInstance(weather, 7), jsonInstance(weather, 8));
  });

  it('respects numeric bounds, exclusive bounds and multipleOf', () => {
    const cases = [
      { type: 'integer', minimum: 5, maximum: 5 },
      { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 2 },
      { type: 'number', minimum: 0, maximum: 1 },
      { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 0.01 },
      { type: 'integer', minimum: 1000 },
      { type: 'number', maximum: -50 },
      { type: 'integer', minimum: 0, maximum: 100, multipleOf: 7 },
      { type: 'number', minimum: 1, maximum: 2, multipleOf: 0.25 },
    ];
    for (const schema of cases) for (const seed of [1, 2, 3, 4]) assertValid(schema, jsonInstance(schema, seed));
    assert.equal(jsonInstance({ type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 2 }, 1), 1);
  });

  it('honours string lengths and const', () => {
    for (const schema of [{ type: 'string', minLength: 40 }, { type: 'string', maxLength: 3 }, { type: 'string', minLength: 1, maxLength: 1 }, { const: 'fixed' }]) {
      assertValid(schema, jsonInstance(schema, 3));
    }
  });

  it('writes arrays of at least minItems (two by default), at most maxItems, unique when asked', () => {
    assert.equal((jsonInstance({ type: 'array', items: { type: 'integer' } }, 1) as unknown[]).length, 2);
    assert.equal((jsonInstance({ type: 'array', items: { type: 'integer' }, minItems: 5 }, 1) as unknown[]).length, 5);
    assert.equal((jsonInstance({ type: 'array', items: { type: 'integer' }, maxItems: 1 }, 1) as unknown[]).length, 1);
    assert.equal((jsonInstance({ type: 'array', items: { type: 'integer' }, minItems: 10_000 }, 1) as unknown[]).length, JSON_INSTANCE_LIMITS.maxItems);
    const tuple = { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false };
    assertValid(tuple, jsonInstance(tuple, 1));
    assertValid({ type: 'array', items: { enum: ['a'] }, uniqueItems: true }, jsonInstance({ type: 'array', items: { enum: ['a'] }, uniqueItems: true }, 1));
  });

  it('takes the first non-null branch of anyOf/oneOf and merges allOf', () => {
    const schema = {
      type: 'object',
      properties: {
        maybe: { anyOf: [{ type: 'null' }, { type: 'integer', minimum: 3, maximum: 3 }] },
        either: { oneOf: [{ type: 'boolean' }, { type: 'string' }] },
        both: { allOf: [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, { properties: { b: { type: 'integer' } }, required: ['b'] }] },
      },
      required: ['maybe', 'either', 'both'],
    };
    const value = jsonInstance(schema, 2) as Record<string, unknown>;
    assertValid(schema, value);
    assert.equal(value.maybe, 3);
    assert.equal(value.either, true);
    assert.deepEqual(Object.keys(value.both as object), ['a', 'b']);
  });

  it('follows $ref into $defs and definitions, and stops a recursive one at the depth cap', () => {
    const schema = {
      type: 'object',
      properties: { home: { $ref: '#/$defs/address' }, work: { $ref: '#/definitions/address' }, tree: { $ref: '#/$defs/node' } },
      required: ['home', 'work', 'tree'],
      $defs: {
        address: { type: 'object', properties: { street: { type: 'string' }, zip: { type: 'string', pattern: '^[0-9]+$' } }, required: ['street'] },
        node: { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } }, required: ['name'] },
      },
      definitions: { address: { type: 'object', properties: { street: { type: 'string' } }, required: ['street'] } },
    };
    const value = jsonInstance(schema, 5) as { home: { street: unknown }; tree: unknown };
    assert.equal(typeof value.home.street, 'string');
    let depth = 0;
    for (let node = value.tree as { children?: unknown[] } | null; node && typeof node === 'object'; node = (node.children?.[0] ?? null) as typeof node) depth++;
    assert.ok(depth > 1 && depth <= JSON_INSTANCE_LIMITS.maxDepth, `recursion bounded (${depth})`);
    // A ref to itself with nothing in between, and refs it cannot resolve, end without throwing.
    assert.equal(jsonInstance({ $defs: { loop: { $ref: '#/$defs/loop' } }, $ref: '#/$defs/loop' }, 1), null);
    assert.equal(jsonInstance({ $ref: 'https://example.com/elsewhere.json' }, 1), null);
    assert.doesNotThrow(() => jsonInstance({ allOf: [{ $ref: '#' }] }, 1));
  });

  it('stays bounded on schemas that would be huge', () => {
    const wide = { type: 'object', properties: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`p${i}`, { type: 'string' }])) };
    assert.equal(Object.keys(jsonInstance(wide, 1) as object).length, JSON_INSTANCE_LIMITS.maxProperties);
    const matrix = { type: 'array', minItems: 1000, items: { type: 'array', minItems: 1000, items: { type: 'array', minItems: 1000, items: { type: 'string' } } } };
    const text = JSON.stringify(jsonInstance(matrix, 1));
    assert.ok(text.length < 50_000, `bounded output (${text.length} characters)`);
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 1000; i++) deep = { type: 'object', properties: { x: deep }, required: ['x'] };
    let nesting = 0;
    for (let v = jsonInstance(deep, 1) as Record<string, unknown> | undefined; v && typeof v === 'object'; v = v.x as Record<string, unknown>) nesting++;
    assert.equal(nesting, JSON_INSTANCE_LIMITS.maxDepth + 1);
  });

  it('keeps a property called __proto__ as data', () => {
    const schema: unknown = JSON.parse('{"type":"object","properties":{"__proto__":{"type":"integer","minimum":1,"maximum":1}},"required":["__proto__","constructor"]}');
    const value = jsonInstance(schema, 1) as Record<string, unknown>;
    assert.match(JSON.stringify(value), /^\{"__proto__":1,"constructor":"[a-z]+"\}$/);
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
  });
});

describe('structuredText', () => {
  it('writes compact JSON: a schema instance for json_schema, an object of words for json_object', () => {
    const schemaText = structuredText({ type: 'json_schema', schema: weather }, 1);
    assertValid(weather, JSON.parse(schemaText));
    assert.equal(schemaText, JSON.stringify(JSON.parse(schemaText)));
    const objectText = structuredText({ type: 'json_object' }, 1);
    assertValid(JSON_OBJECT_SCHEMA, JSON.parse(objectText));
  });
});
