import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import { TfError } from '@tokenflow/contracts';
import { chatRequestSchema } from './chat-request.schema';
import { REQUEST_LIMITS } from './request-limits';
import { validate } from './validate';

/** Generous for CI; each case takes a few milliseconds locally (see the test names' budgets). */
const CI_BUDGET_MS = 200;

const user = (content: unknown) => ({ role: 'user', content });
const chat = (extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o', messages: [user('hi')], ...extra });
const tool = (name: string, parameters: unknown = { type: 'object', properties: {} }) => ({ type: 'function', function: { name, parameters } });
const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** The 400 `validate` throws for `body`, and how long it took. */
function rejection(body: unknown): { err: TfError; ms: number } {
  const start = performance.now();
  try {
    validate(chatRequestSchema, body);
  } catch (err) {
    const ms = performance.now() - start;
    assert.ok(err instanceof TfError, `expected TfError, got ${String(err)}`);
    assert.equal(err.status, 400);
    assert.equal(err.code, 'invalid_request');
    return { err, ms };
  }
  assert.fail('expected the request to be rejected');
}

/** `[[[…]]]` nested `depth` times, built without recursion. */
function nested(depth: number): unknown[] {
  let value: unknown[] = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

describe('chat request caps', () => {
  const arrayTooLong = (param: string, max: number, actual: number) =>
    `Invalid '${param}': array too long. Expected an array with maximum length ${max}, but got an array with length ${actual} instead.`;
  const call = (i: number) => ({ id: `call_${i}`, type: 'function', function: { name: 'f', arguments: '{}' } });
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['2,049 messages', { model: 'm', messages: times(2049, () => user('x')) }, 'messages', arrayTooLong('messages', 2048, 2049)],
    [
      '1,025 content parts in one message',
      { model: 'm', messages: [user('a'), user(times(1025, () => ({ type: 'text', text: 'x' })))] },
      'messages[1].content',
      arrayTooLong('messages[1].content', 1024, 1025),
    ],
    [
      '129 tool calls in one assistant message',
      { model: 'm', messages: [user('a'), { role: 'assistant', content: null, tool_calls: times(129, call) }] },
      'messages[1].tool_calls',
      arrayTooLong('messages[1].tool_calls', 128, 129),
    ],
    ['129 tools', chat({ tools: times(129, (i) => tool(`f${i}`)) }), 'tools', arrayTooLong('tools', 128, 129)],
    ['129 legacy functions', chat({ functions: times(129, (i) => ({ name: `f${i}` })) }), 'functions', arrayTooLong('functions', 128, 129)],
    ['5 stop sequences', chat({ stop: ['a', 'b', 'c', 'd', 'e'] }), 'stop', arrayTooLong('stop', 4, 5)],
    [
      '301 logit_bias entries',
      chat({ logit_bias: Object.fromEntries(times(301, (i) => [String(i), 1])) }),
      'logit_bias',
      "Invalid 'logit_bias': too many properties. Expected an object with at most 300 properties, but got an object with 301 properties instead.",
    ],
    [
      'a message over 10 MiB',
      { model: 'm', messages: [user('x'.repeat(REQUEST_LIMITS.stringLength + 1))] },
      'messages[0].content',
      `Invalid 'messages[0].content': string too long. Expected a string with maximum length 10485760, but got a string with length 10485761 instead.`,
    ],
    [
      'a text part over 10 MiB',
      { model: 'm', messages: [user([{ type: 'text', text: 'x'.repeat(REQUEST_LIMITS.stringLength + 1) }])] },
      'messages[0].content[0].text',
      `Invalid 'messages[0].content[0].text': string too long. Expected a string with maximum length 10485760, but got a string with length 10485761 instead.`,
    ],
    [
      'a body nested 65 levels',
      chat({ extra: nested(64) }),
      `extra${'[0]'.repeat(63)}`,
      `Invalid 'extra${'[0]'.repeat(63)}': nested too deeply. Expected at most 64 levels of nesting in the request body.`,
    ],
  ];
  for (const [name, body, param, message] of cases) {
    it(`rejects ${name}, naming ${param}`, () => {
      const { err } = rejection(body);
      assert.equal(err.param, param);
      assert.equal(err.message, message);
    });
  }

  it('rejects n above 128, naming n', () => {
    assert.equal(rejection(chat({ n: 129 })).err.param, 'n');
  });

  it('accepts every cap exactly, 64 levels of nesting, and a 20-level JSON Schema', () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 20; i++) schema = { type: 'object', properties: { child: schema }, required: ['child'] };
    const body = {
      model: 'm',
      messages: [
        ...times(2046, (i) => user(i === 0 ? times(1024, () => ({ type: 'text', text: 'x' })) : 'x')),
        { role: 'assistant', content: null, tool_calls: times(128, call) },
        user('x'.repeat(REQUEST_LIMITS.stringLength)),
      ],
      tools: times(128, (i) => tool(`f${i}`, i === 0 ? schema : undefined)),
      stop: ['a', 'b', 'c', 'd'],
      n: 128,
      logit_bias: Object.fromEntries(times(300, (i) => [String(i), 1])),
      response_format: { type: 'json_schema', json_schema: { name: 'deep', schema } },
      extra: nested(63),
    };
    assert.doesNotThrow(() => validate(chatRequestSchema, body));
  });

  it('bounds binary payloads (data: URLs, base64 audio and files) by the body limit alone', () => {
    const big = 'A'.repeat(REQUEST_LIMITS.stringLength + 1);
    const body = {
      model: 'm',
      messages: [
        user([
          { type: 'image_url', image_url: { url: `data:image/png;base64,${big}` } },
          { type: 'input_audio', input_audio: { data: big, format: 'wav' } },
          { type: 'file', file: { filename: 'a.pdf', file_data: big } },
        ]),
      ],
    };
    assert.doesNotThrow(() => validate(chatRequestSchema, body));
  });
});

describe('bounded work: hostile bodies are refused in milliseconds', () => {
  it('refuses 700k tiny messages (a 9 MB body) before zod walks them', (t) => {
    const body = { model: 'm', messages: times(700_000, () => ({ role: 'user', content: 'x' })) };
    const { err, ms } = rejection(body);
    assert.equal(err.param, 'messages');
    assert.match(err.message, /array too long\. Expected an array with maximum length 2048, but got an array with length 700000/);
    t.diagnostic(`${ms.toFixed(2)} ms`);
    assert.ok(ms < CI_BUDGET_MS, `took ${ms.toFixed(1)} ms`);
  });

  it('refuses a 100k-deep nested array, in an extension field or in message content', (t) => {
    const deep = nested(100_000);
    for (const body of [chat({ extra: deep }), { model: 'm', messages: [user(deep)] }]) {
      const { err, ms } = rejection(body);
      assert.match(err.message, /nested too deeply\. Expected at most 64 levels/);
      t.diagnostic(`${ms.toFixed(2)} ms`);
    assert.ok(ms < CI_BUDGET_MS, `took ${ms.toFixed(1)} ms`);
    }
  });

  it('refuses 1M small values inside tools[0].function.parameters, naming where the budget ran out', (t) => {
    // A JSON Schema of 1,000 objects with 500 properties each: 1,000 × (3 + 500 × 2) ≈ 1M values.
    const properties = Object.fromEntries(
      times(1000, (i) => [`o${i}`, { type: 'object', properties: Object.fromEntries(times(500, (j) => [`p${j}`, { type: 'string' }])) }]),
    );
    const { err, ms } = rejection(chat({ tools: [tool('f', { type: 'object', properties })] }));
    assert.match(err.param ?? '', /^tools\[0\]\.function\.parameters\.properties\./);
    assert.match(err.message, /too many values\. The request body may hold at most 250000 JSON values/);
    t.diagnostic(`${ms.toFixed(2)} ms`);
    assert.ok(ms < CI_BUDGET_MS, `took ${ms.toFixed(1)} ms`);

    // The same million as one flat enum: refused on the array's length, without visiting it.
    const flat = rejection(chat({ tools: [tool('f', { type: 'string', enum: times(1_000_000, (i) => `v${i}`) })] }));
    assert.equal(flat.err.param, 'tools[0].function.parameters.enum');
    t.diagnostic(`flat enum: ${flat.ms.toFixed(2)} ms`);
    assert.ok(flat.ms < CI_BUDGET_MS, `took ${flat.ms.toFixed(1)} ms`);
  });

  it('validates a normal 1 MB single-message body quickly', (t) => {
    const body = { model: 'gpt-4o', messages: [{ role: 'system', content: 'Be brief.' }, user('lorem ipsum '.repeat(90_000))], stream: true };
    validate(chatRequestSchema, structuredClone(body)); // warm up
    const start = performance.now();
    assert.deepEqual(validate(chatRequestSchema, body), body);
    const ms = performance.now() - start;
    t.diagnostic(`${ms.toFixed(2)} ms`);
    assert.ok(ms < CI_BUDGET_MS, `took ${ms.toFixed(1)} ms`);
  });

  it('validates the largest legitimate shape (2,048 agent turns with tool calls) quickly', (t) => {
    const messages = times(2048, (i) =>
      i % 2 === 0
        ? { role: 'assistant', content: null, tool_calls: [{ id: `c${i}`, type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }
        : { role: 'tool', tool_call_id: `c${i - 1}`, content: 'ok' },
    );
    const body = { model: 'm', messages, tools: times(128, (i) => tool(`f${i}`)) };
    validate(chatRequestSchema, body); // warm up
    const start = performance.now();
    validate(chatRequestSchema, body);
    const ms = performance.now() - start;
    t.diagnostic(`${ms.toFixed(2)} ms`);
    assert.ok(ms < CI_BUDGET_MS, `took ${ms.toFixed(1)} ms`);
  });
});
