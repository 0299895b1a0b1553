import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator';
import type { Response, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { CompletionAssembler } from '../completion-assembler';
import { validate } from '../validate';
import { responsesRequestSchema } from './responses-request.schema';
import { ResponseAssembler } from './response-assembler';
import { responseIdOfItem, ResponseIds } from './response-ids';
import { ResponseStreamEncoder } from './response-stream.encoder';

const HEX = 'b'.repeat(48);
const meta = (fields: Record<string, unknown> = {}) => ({
  ids: new ResponseIds(HEX),
  createdAt: 1,
  model: 'auto',
  request: validate(responsesRequestSchema, { model: 'auto', input: 'hi', ...fields }),
});
const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ id: 'c', model: 'deepseek-r1', choices: [{ index: 0, delta, finish_reason: finish }] });
const usage = { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12, completion_tokens_details: { reasoning_tokens: 3 } };

function events(sse: string): Record<string, unknown>[] {
  return sse
    .split('\n\n')
    .filter(Boolean)
    .map((e) => {
      const [head, data] = e.split('\n');
      const parsed = JSON.parse(data.slice('data: '.length)) as Record<string, unknown>;
      assert.equal(head, `event: ${String(parsed.type)}`);
      return parsed;
    });
}

const STREAM = [chunk({ role: 'assistant', reasoning_content: 'Think' }), chunk({ reasoning_content: 'ing.' }), chunk({ content: 'Hel' }), chunk({ content: 'lo' }), chunk({ tool_calls: [{ index: 0, id: 'call_1', function: { name: 'f', arguments: '{"a"' } }] }), chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }, 'tool_calls')];

describe('ResponseStreamEncoder', () => {
  it('tells reasoning, text and a function call as the Responses event sequence, numbered', () => {
    const enc = new ResponseStreamEncoder(meta({ tools: [{ type: 'function', name: 'f' }] }));
    enc.served('deepseek-r1');
    let sse = '';
    for (const c of STREAM) sse += enc.push(c);
    sse += enc.finish(usage);
    const evs = events(sse);
    assert.deepEqual(
      evs.map((e) => e.type),
      [
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.reasoning_summary_part.added',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.delta',
        'response.reasoning_summary_text.done',
        'response.reasoning_summary_part.done',
        'response.output_item.done',
        'response.output_item.added',
        'response.content_part.added',
        'response.output_text.delta',
        'response.output_text.delta',
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.output_item.added',
        'response.function_call_arguments.delta',
        'response.function_call_arguments.delta',
        'response.function_call_arguments.done',
        'response.output_item.done',
        'response.completed',
      ],
    );
    evs.forEach((e, i) => assert.equal(e.sequence_number, i));
    const done = evs.at(-1)!.response as Record<string, unknown>;
    assert.equal(done.status, 'completed');
    assert.equal(done.model, 'deepseek-r1');
    assert.deepEqual(done.usage, { input_tokens: 5, input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 }, output_tokens: 7, output_tokens_details: { reasoning_tokens: 3 }, total_tokens: 12 });
    assert.deepEqual(done.output, [
      { id: `rs_${HEX}`, type: 'reasoning', summary: [{ type: 'summary_text', text: 'Thinking.' }] },
      { id: `msg_${HEX}`, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello', annotations: [], logprobs: [] }] },
      { id: `fc_${HEX}_0`, type: 'function_call', status: 'completed', arguments: '{"a":1}', call_id: 'call_1', name: 'f' },
    ]);
    assert.deepEqual(enc.final, done);
    assert.equal(responseIdOfItem(`fc_${HEX}_0`), `resp_${HEX}`);
  });

  it('the whole answer folds to the same Response object', () => {
    const a = new ResponseAssembler(meta({ tools: [{ type: 'function', name: 'f' }] }));
    a.served('deepseek-r1');
    for (const c of STREAM) a.add(c);
    const enc = new ResponseStreamEncoder(meta({ tools: [{ type: 'function', name: 'f' }] }));
    enc.served('deepseek-r1');
    for (const c of STREAM) enc.push(c);
    enc.finish(usage);
    assert.deepEqual(a.result(usage), enc.final);
  });

  it('a length cut is incomplete with its reason; a failure is response.failed then error', () => {
    const cut2 = new ResponseStreamEncoder(meta());
    const evs2 = events(cut2.push(chunk({ content: 'x' }, 'length')) + cut2.finish(usage));
    assert.equal(evs2.at(-1)!.type, 'response.incomplete');
    assert.deepEqual((evs2.at(-1)!.response as Record<string, unknown>).incomplete_details, { reason: 'max_output_tokens' });

    const failing = new ResponseStreamEncoder(meta());
    const evs3 = events(failing.push(chunk({ content: 'x' })) + failing.error(new TfError('upstream_error', 'boom')));
    assert.deepEqual(evs3.slice(-2).map((e) => e.type), ['response.failed', 'error']);
    assert.equal(((evs3.at(-2)!.response as Record<string, unknown>).error as Record<string, unknown>).message, 'boom');
    // The Response's error code is from OpenAI's closed set; the error event keeps ours.
    assert.equal(((evs3.at(-2)!.response as Record<string, unknown>).error as Record<string, unknown>).code, 'server_error');
    assert.equal(evs3.at(-1)!.code, 'upstream_error');
    assert.equal(evs3.at(-1)!.message, 'boom');
  });

  it('an empty answer is still one message', () => {
    const enc = new ResponseStreamEncoder(meta());
    enc.finish(null);
    assert.deepEqual((enc.final!.output as unknown[]).length, 1);
    assert.ok(!('usage' in enc.final!), 'no usage: absent, not null (OpenAI types it non-nullable)');
  });

  it('interleaved parallel tool calls: every argument fragment lands in its call, none after its done event', () => {
    const tools = [{ type: 'function', name: 'f' }, { type: 'function', name: 'g' }];
    const chunks = [
      chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'f', arguments: '{"a"' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', function: { name: 'g', arguments: '{"b"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: ':2}' } }] }, 'tool_calls'),
    ];
    const { evs, final } = run(chunks, { tools });
    assert.deepEqual(final.output, [
      { id: `fc_${HEX}_0`, type: 'function_call', status: 'completed', arguments: '{"a":1}', call_id: 'call_a', name: 'f' },
      { id: `fc_${HEX}_1`, type: 'function_call', status: 'completed', arguments: '{"b":2}', call_id: 'call_b', name: 'g' },
    ]);
    const argsDone = evs.filter((e) => e.type === 'response.function_call_arguments.done').map((e) => [e.output_index, e.name, e.arguments]);
    assert.deepEqual(argsDone, [
      [0, 'f', '{"a":1}'],
      [1, 'g', '{"b":2}'],
    ]);
  });

  it('text between tool-call fragments: the call keeps its arguments, the text is one message', () => {
    const chunks = [
      chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'f', arguments: '{"a"' } }] }),
      chunk({ content: 'Hi' }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':1' } }] }),
      chunk({ content: ' there' }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '}' } }] }, 'tool_calls'),
    ];
    const { final } = run(chunks, { tools: [{ type: 'function', name: 'f' }] });
    assert.deepEqual(final.output, [
      { id: `fc_${HEX}_0`, type: 'function_call', status: 'completed', arguments: '{"a":1}', call_id: 'call_a', name: 'f' },
      { id: `msg_${HEX}`, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hi there', annotations: [], logprobs: [] }] },
    ]);
  });

  it('a name and id after the first fragment of a call are the ones announced and kept', () => {
    const chunks = [
      chunk({ tool_calls: [{ index: 0, type: 'function', function: { arguments: '{"x"' } }] }),
      chunk({ tool_calls: [{ index: 0, id: 'call_9', function: { name: 'f', arguments: ':1' } }] }),
      chunk({ tool_calls: [{ index: 0, id: 'call_9', function: { name: 'f', arguments: '}' } }] }, 'tool_calls'),
    ];
    const { evs, final } = run(chunks, { tools: [{ type: 'function', name: 'f' }] });
    const added = evs.find((e) => e.type === 'response.output_item.added')!.item as Record<string, unknown>;
    assert.equal(added.name, 'f');
    assert.equal(added.call_id, 'call_9');
    assert.deepEqual(final.output, [{ id: `fc_${HEX}_0`, type: 'function_call', status: 'completed', arguments: '{"x":1}', call_id: 'call_9', name: 'f' }]);
  });

  it('each reasoning phase of interleaved thinking is its own item with its own id', () => {
    const chunks = [
      chunk({ reasoning_content: 'a' }),
      chunk({ content: 'b' }),
      chunk({ reasoning_content: 'c' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'f', arguments: '{}' } }] }),
      chunk({ reasoning_content: 'd' }),
      chunk({ content: 'e' }, 'stop'),
    ];
    const { final } = run(chunks, { tools: [{ type: 'function', name: 'f' }] });
    const output = final.output as Record<string, unknown>[];
    assert.deepEqual(
      output.map((o) => [o.type, o.id]),
      [
        ['reasoning', `rs_${HEX}`],
        ['message', `msg_${HEX}`],
        ['reasoning', `rs_${HEX}_1`],
        ['function_call', `fc_${HEX}_0`],
        ['reasoning', `rs_${HEX}_2`],
        ['message', `msg_${HEX}_1`],
      ],
    );
    assert.equal(new Set(output.map((o) => o.id)).size, output.length);
    for (const o of output) assert.equal(responseIdOfItem(String(o.id)), `resp_${HEX}`);
  });

  it('a streamed refusal is a refusal part with refusal events, never output text', () => {
    const { evs, final } = run([chunk({ refusal: 'No' }), chunk({ refusal: ' way.' }, 'stop')]);
    assert.deepEqual(
      evs.map((e) => e.type),
      [
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.content_part.added',
        'response.refusal.delta',
        'response.refusal.delta',
        'response.refusal.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ],
    );
    const at = { item_id: `msg_${HEX}`, output_index: 0, content_index: 0 };
    assert.deepEqual(evs[3], { type: 'response.content_part.added', sequence_number: 3, ...at, part: { type: 'refusal', refusal: '' } });
    assert.deepEqual(evs[4], { type: 'response.refusal.delta', sequence_number: 4, ...at, delta: 'No' });
    assert.deepEqual(evs[6], { type: 'response.refusal.done', sequence_number: 6, ...at, refusal: 'No way.' });
    assert.deepEqual(evs[7], { type: 'response.content_part.done', sequence_number: 7, ...at, part: { type: 'refusal', refusal: 'No way.' } });
    assert.deepEqual(final.output, [{ id: `msg_${HEX}`, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'refusal', refusal: 'No way.' }] }]);
    // Text then a refusal: two parts of one message, indexed.
    const mixed = run([chunk({ content: 'Hm. ' }), chunk({ refusal: 'No.' }, 'stop')]);
    assert.deepEqual((mixed.final.output as Record<string, unknown>[])[0].content, [
      { type: 'output_text', text: 'Hm. ', annotations: [], logprobs: [] },
      { type: 'refusal', refusal: 'No.' },
    ]);
    assert.equal(mixed.evs.find((e) => e.type === 'response.refusal.delta')!.content_index, 1);
  });

  it('tools are echoed with the strict the request gave (null when it gave none)', () => {
    const { final } = run([chunk({ content: 'x' }, 'stop')], { tools: [{ type: 'function', name: 'f' }, { type: 'function', name: 'g', strict: false }, { type: 'function', name: 'h', strict: true }] });
    assert.deepEqual(
      (final.tools as Record<string, unknown>[]).map((t) => [t.name, t.strict]),
      [
        ['f', null],
        ['g', false],
        ['h', true],
      ],
    );
  });

  it('property: for any chunk sequence, the streamed Response is the non-streamed one and holds everything upstream sent', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const words = ['a', 'b"', '{', '}', ' ', 'é', ':1', ','];
    for (let round = 0; round < 300; round++) {
      const chunks: Record<string, unknown>[] = [];
      let calls = 0;
      const len = 1 + rand(14);
      for (let k = 0; k < len; k++) {
        const w = words[rand(words.length)];
        const kind = rand(5);
        if (kind === 0) chunks.push(chunk({ content: w }));
        else if (kind === 1) chunks.push(chunk({ reasoning_content: w }));
        else if (kind === 2) chunks.push(chunk({ refusal: w }));
        else {
          const index = rand(calls + 1);
          const fresh = index === calls;
          if (fresh) calls++;
          // Names and ids sometimes on the first fragment, sometimes later; fragments of several calls interleaved.
          const named = fresh ? rand(2) === 0 : rand(3) === 0;
          chunks.push(chunk({ tool_calls: [{ index, ...(named ? { id: `call_${index}` } : {}), function: { ...(named ? { name: `t${index}` } : {}), arguments: w } }] }));
        }
      }
      const finish = ['stop', 'tool_calls', 'length', null][rand(4)];
      if (finish) chunks.push(chunk({}, finish));
      const { final, assembled } = run(chunks, { tools: [{ type: 'function', name: 't0' }] });
      const where = JSON.stringify(chunks);
      assert.deepEqual(assembled, final, where);

      // Nothing lost or reordered against the chat fold of the same chunks.
      const chat = new CompletionAssembler();
      for (const c of chunks) chat.add(c);
      const message = ((chat.result(null).choices as Record<string, unknown>[])[0].message ?? {}) as Record<string, unknown>;
      const output = final.output as Record<string, unknown>[];
      const parts = output.flatMap((o) => (o.type === 'message' ? (o.content as Record<string, unknown>[]) : []));
      assert.equal(parts.map((p) => p.text ?? '').join(''), message.content ?? '', where);
      assert.equal(parts.map((p) => p.refusal ?? '').join(''), message.refusal ?? '', where);
      assert.equal(output.map((o) => (o.type === 'reasoning' ? ((o.summary as Record<string, unknown>[])[0].text as string) : '')).join(''), message.reasoning_content ?? '', where);
      const fcs = output.filter((o) => o.type === 'function_call');
      const toolCalls = (message.tool_calls ?? []) as { id?: string; function: { name: string; arguments: string } }[];
      assert.deepEqual(
        fcs.map((o) => [o.id, o.arguments]).sort(),
        toolCalls.map((c, n) => [`fc_${HEX}_${n}`, c.function.arguments]).sort(),
        where,
      );
      for (const o of fcs) assert.equal(o.name, toolCalls[Number(String(o.id).split('_').at(-1))].function.name.replace(/(t\d+)\1+/, '$1'), where);
    }
  });
});

/**
 * One chunk sequence streamed and folded: the events (checked as the official SDK reads them — its own
 * accumulator must rebuild exactly the Response `response.completed` carries — and with no event for an item after
 * its `output_item.done`), the final Response and the non-streamed one.
 */
function run(chunks: Record<string, unknown>[], fields: Record<string, unknown> = {}) {
  const enc = new ResponseStreamEncoder(meta(fields));
  const a = new ResponseAssembler(meta(fields));
  let sse = '';
  for (const c of chunks) {
    sse += enc.push(c);
    a.add(c);
  }
  sse += enc.finish(usage);
  const evs = events(sse);
  evs.forEach((e, i) => assert.equal(e.sequence_number, i));
  const closed = new Set<unknown>();
  let snapshot: Response | undefined;
  for (const e of evs) {
    if (e.output_index !== undefined) assert.ok(!closed.has(e.output_index), `${String(e.type)} after output_item.done of item ${String(e.output_index)}`);
    if (e.type === 'response.output_item.done') closed.add(e.output_index);
    if (e.type === 'response.output_item.added') assert.equal(e.output_index, snapshot!.output.length);
    if (e.type !== 'response.completed' && e.type !== 'response.incomplete') snapshot = accumulateResponse(e as unknown as ResponseStreamEvent, snapshot);
  }
  const final = evs.at(-1)!.response as Record<string, unknown>;
  assert.deepEqual(snapshot!.output, final.output, 'the events rebuild the output response.completed carries');
  assert.deepEqual(enc.final, final);
  return { evs, final, assembled: a.result(usage) };
}
