import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
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
});
