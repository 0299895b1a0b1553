import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { ChunkGuard } from './chunk-guard';

const chunk = (...choices: Record<string, unknown>[]) => ({ id: 'c', object: 'chat.completion.chunk', choices });
const calls = (index: unknown, ...tool: unknown[]) => ({ index, delta: { tool_calls: tool.map((i) => ({ index: i, function: { arguments: '' } })) }, finish_reason: null });

function rejected(guard: ChunkGuard, c: Record<string, unknown>, what: string): void {
  assert.throws(
    () => guard.check(c),
    (err: unknown) => err instanceof TfError && err.code === 'upstream_error' && err.retryable && err.message === `The upstream sent an invalid ${what} index.`,
  );
}

describe('ChunkGuard', () => {
  it('lets through ordinary chunks: text, legacy completions, usage-only, choices up to 127', () => {
    const g = new ChunkGuard();
    g.check(chunk({ index: 0, delta: { role: 'assistant', content: 'hi' }, finish_reason: null }));
    g.check({ object: 'text_completion', choices: [{ index: 3, text: 'x' }] });
    g.check({ choices: [] });
    g.check({ usage: { prompt_tokens: 1 } });
    g.check(chunk({ delta: { content: 'no index' } }, { index: 127, delta: {} }));
  });

  it('refuses a choice index outside [0, 128)', () => {
    for (const index of [128, 1e8, -1, 0.5, '0', Number.NaN]) rejected(new ChunkGuard(), chunk({ index, delta: { content: 'x' } }), 'choice');
  });

  it('takes tool calls numbered 0, 1, 2… per choice, in any interleaving, and nothing beyond the next', () => {
    const g = new ChunkGuard();
    g.check(chunk(calls(0, 0)));
    g.check(chunk(calls(0, 1, 0, 1, 2)));
    g.check(chunk(calls(1, 0)));
    // A missing index is the next new call (as the assembler reads it).
    g.check(chunk(calls(1, undefined, 1)));
    rejected(g, chunk(calls(1, 3)), 'tool call');
    for (const bad of [4, 1e8, -1, 1.5, '1', Number.NaN]) rejected(g, chunk(calls(0, bad)), 'tool call');
    g.check(chunk(calls(0, 3)));
  });

  it('checks a chunk in a few microseconds', () => {
    const g = new ChunkGuard();
    const sample = chunk({ index: 0, delta: { content: 'token' }, logprobs: null, finish_reason: null });
    const tool = chunk(calls(0, 0));
    const n = 100_000;
    const started = performance.now();
    for (let i = 0; i < n; i++) g.check(i % 10 ? sample : tool);
    const us = ((performance.now() - started) * 1000) / n;
    assert.ok(us < 5, `${us.toFixed(2)} µs per chunk`);
  });
});
