import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { toAnthropicMessages } from './messages.transform';

function thrown(fn: () => unknown): TfError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TfError, `expected TfError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a TfError');
}

describe('toAnthropicMessages', () => {
  it('lifts system and developer messages from anywhere, in order, and has no system without them', () => {
    const { system, messages } = toAnthropicMessages([
      { role: 'user', content: 'a' },
      { role: 'developer', content: 'd1' },
      { role: 'assistant', content: 'b' },
      { role: 'system', content: [{ type: 'text', text: 's1' }] },
    ]);
    assert.deepEqual(system, [
      { type: 'text', text: 'd1' },
      { type: 'text', text: 's1' },
    ]);
    assert.deepEqual(messages, [
      { role: 'user', content: [{ type: 'text', text: 'a' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'b' }] },
    ]);
    assert.deepEqual(toAnthropicMessages([{ role: 'user', content: 'x' }]).system, []);
  });

  it('merges same-role turns left adjacent by a removed system message or an empty one', () => {
    const { messages } = toAnthropicMessages([
      { role: 'user', content: 'a' },
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'b' },
      { role: 'assistant', content: '' },
      { role: 'user', content: '' },
      { role: 'user', content: 'c' },
    ]);
    assert.deepEqual(messages, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
          { type: 'text', text: 'c' },
        ],
      },
    ]);
  });

  it('puts tool results first in their user turn, even when the user spoke first', () => {
    const { messages } = toAnthropicMessages([
      { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'user', content: 'also this' },
      { role: 'tool', tool_call_id: 't1', content: 'done' },
    ]);
    assert.deepEqual(messages[1], {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 't1', content: 'done' },
        { type: 'text', text: 'also this' },
      ],
    });
  });

  it('sends a tool result with empty content as a bare tool_result', () => {
    const { messages } = toAnthropicMessages([{ role: 'tool', tool_call_id: 't1', content: '' }]);
    assert.deepEqual(messages, [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1' }] }]);
  });

  it('keeps assistant text before its tool calls, replays bad arguments as {}, drops reasoning_content', () => {
    const { messages } = toAnthropicMessages([
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Looking.' },
          { type: 'refusal', refusal: 'Not that one.' },
        ],
        reasoning_content: 'secret chain of thought',
        tool_calls: [
          { id: 'a', type: 'function', function: { name: 'f', arguments: 'not json' } },
          { id: 'b', type: 'function', function: { name: 'g', arguments: '[1,2]' } },
          { id: 'c', type: 'function', function: { name: 'h', arguments: '{"x":[1]}' } },
        ],
      },
    ]);
    assert.deepEqual(messages, [
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Looking.' },
          { type: 'text', text: 'Not that one.' },
          { type: 'tool_use', id: 'a', name: 'f', input: {} },
          { type: 'tool_use', id: 'b', name: 'g', input: {} },
          { type: 'tool_use', id: 'c', name: 'h', input: { x: [1] } },
        ],
      },
    ]);
    assert.doesNotMatch(JSON.stringify(messages), /secret/);
  });

  it('maps image data URLs with any parameters, and inline PDFs', () => {
    const { messages } = toAnthropicMessages([
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/jpeg;charset=binary;base64,/9j/4AAQ' } },
          { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0x' } },
        ],
      },
    ]);
    assert.deepEqual(messages[0].content, [
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0x' } },
    ]);
  });

  // Regression: the data-URL regex backtracked quadratically (~1.2 s for 40 KB) on a URL lacking `;base64,`.
  it('refuses a long data URL without ;base64, quickly', () => {
    const started = performance.now();
    const err = thrown(() => toAnthropicMessages([{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:${'a'.repeat(200_000)}` } }] }]));
    const ms = performance.now() - started;
    assert.equal(err.param, 'messages[0].content[0].image_url.url');
    assert.ok(ms < 200, `took ${ms.toFixed(1)} ms`);
    const pdf = thrown(() => toAnthropicMessages([{ role: 'user', content: [{ type: 'file', file: { file_data: `data:application/pdf${';x'.repeat(100_000)}` } }] }]));
    assert.equal(pdf.param, 'messages[0].content[0].file');
  });

  // Regression: blocks were appended with push(...blocks), which overflows the stack past ~120k arguments.
  it('merges turns of 200k parts without overflowing the stack', () => {
    const parts = Array.from({ length: 200_000 }, () => ({ type: 'text', text: 'a' }));
    const { system, messages } = toAnthropicMessages([
      { role: 'system', content: parts },
      { role: 'user', content: 'first' },
      { role: 'user', content: parts },
    ]);
    assert.equal(system.length, 200_000);
    assert.equal(messages.length, 1);
    assert.equal(messages[0].content.length, 200_001);
  });

  it('rejects what Anthropic cannot take with an invalid_request naming the part', () => {
    const audio = thrown(() => toAnthropicMessages([{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }]));
    assert.equal(audio.code, 'invalid_request');
    assert.equal(audio.param, 'messages[0].content[0]');
    assert.match(audio.message, /input_audio/);

    const ftp = thrown(() =>
      toAnthropicMessages([
        { role: 'user', content: 'a' },
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }] },
      ]),
    );
    assert.equal(ftp.param, 'messages[1].content[0].image_url.url');

    const fileId = thrown(() => toAnthropicMessages([{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }] }]));
    assert.equal(fileId.param, 'messages[0].content[0].file');

    const assistantImage = thrown(() => toAnthropicMessages([{ role: 'assistant', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }]));
    assert.equal(assistantImage.code, 'invalid_request');

    const legacy = thrown(() => toAnthropicMessages([{ role: 'function', name: 'f', content: '1' }]));
    assert.equal(legacy.param, 'messages[0].role');
    assert.match(legacy.message, /'function'/);
  });
});
