import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { ChatAsTextDecoder } from '../providers/completions-via-chat';
import { OpenAiStreamDecoder } from '../providers/openai-base/chat-stream.decoder';
import type { StreamDecoder } from '../providers/provider';
import { relayStream } from './stream-relay';
import { StreamTally } from './stream-tally';
import { StreamWatchdog } from './stream-watchdog';

function body(...reads: string[]) {
  async function* gen() {
    for (const r of reads) yield Buffer.from(r);
  }
  return Object.assign(gen(), { destroyed: false, destroy() { this.destroyed = true; } });
}

async function relay(reads: string[], decoder: StreamDecoder = new OpenAiStreamDecoder()) {
  const tally = new StreamTally();
  const watchdog = new StreamWatchdog({ firstByteMs: 60_000, idleMs: 60_000 });
  const emitted: Record<string, unknown>[] = [];
  try {
    await relayStream(body(...reads), decoder, { watchdog, tally, emit: (chunks) => emitted.push(...chunks) });
    return { emitted, tally };
  } finally {
    watchdog.stop();
  }
}

const event = (choices: Record<string, unknown>[], eol = '\n') => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices })}${eol}${eol}`;
const content = (text: string, index = 0) => ({ index, delta: { content: text }, finish_reason: null });
const toolCall = (index: number) => ({ index: 0, delta: { tool_calls: [{ index, id: `call_${index}`, function: { name: 'f', arguments: '{}' } }] }, finish_reason: null });
const stop = { index: 0, delta: {}, finish_reason: 'stop' };

describe('relayStream', () => {
  describe('legacy completions through chat on a reasoning model (regression: reasoning billed as nothing)', () => {
    const reasoning = (text: string) => ({ index: 0, delta: { reasoning_content: text }, finish_reason: null });
    const role = { index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null };

    it('tallies the reasoning the client is not shown, so a cut during it is billed and not retried', async () => {
      const tally = new StreamTally();
      const watchdog = new StreamWatchdog({ firstByteMs: 60_000, idleMs: 60_000 });
      const emitted: Record<string, unknown>[] = [];
      const cut = relayStream(body(event([role]), event([reasoning('Let me think ')]), event([reasoning('about this.')])), new ChatAsTextDecoder(new OpenAiStreamDecoder()), {
        watchdog,
        tally,
        emit: (chunks) => emitted.push(...chunks),
      });
      await assert.rejects(cut, (err: unknown) => err instanceof TfError && err.code === 'upstream_error' && err.retryable === false);
      watchdog.stop();
      assert.deepEqual(emitted, [], 'the client saw nothing: reasoning has no completion text');
      assert.equal(tally.chunks, 2, 'the two reasoning chunks (the leading role-only one is not output)');
      const { usage, source } = await tally.usage(5, { text: async (t: string) => t.length } as never);
      assert.equal(source, 'estimated');
      assert.equal(usage.completion_tokens, 'Let me think about this.'.length, 'the reasoning text is counted');
    });

    it('emits only text_completion chunks, tallies each generated chunk once (reasoning included)', async () => {
      const { emitted, tally } = await relay([event([role]), event([reasoning('hmm')]), event([content('Hi')]), event([stop]), 'data: [DONE]\n\n'], new ChatAsTextDecoder(new OpenAiStreamDecoder()));
      assert.deepEqual(
        emitted.map((c) => [c.object, (c.choices as { text: string }[])[0].text]),
        [
          ['text_completion', 'Hi'],
          ['text_completion', ''],
        ],
      );
      assert.equal(tally.chunks, 3);
      assert.equal(tally.sawFinish, true);
      const { usage } = await tally.usage(0, { text: async (t: string) => t.length } as never);
      assert.equal(usage.completion_tokens, 'hmmHi'.length);
    });

    it('a stream cut before any output stays retryable', async () => {
      const cut = relay([event([role])], new ChatAsTextDecoder(new OpenAiStreamDecoder()));
      await assert.rejects(cut, (err: unknown) => err instanceof TfError && err.retryable === true);
    });
  });

  it('forwards each decoded chunk until [DONE]', async () => {
    const { emitted, tally } = await relay([event([content('Hel')]) + event([content('lo')]), event([stop]), 'data: [DONE]\n\n']);
    assert.equal(emitted.length, 3);
    assert.equal(tally.sawFinish, true);
  });

  it('fails the stream with an upstream_error on a tool-call index beyond the calls seen, before forwarding it', async () => {
    const relayed = relay([event([toolCall(0)]), event([toolCall(100_000_000)]), event([stop]), 'data: [DONE]\n\n']);
    await assert.rejects(relayed, (err: unknown) => err instanceof TfError && err.code === 'upstream_error' && /tool call index/.test(err.message));
  });

  it('fails on a choice index outside [0, 128) even when it says nothing yet', async () => {
    const relayed = relay([event([{ index: 1e9, delta: { role: 'assistant' }, finish_reason: null }]), 'data: [DONE]\n\n']);
    await assert.rejects(relayed, (err: unknown) => err instanceof TfError && err.code === 'upstream_error' && /choice index/.test(err.message));
  });

  it('refuses an upstream line past the parser cap instead of buffering it, after relaying what came before', async () => {
    const endless = Array.from({ length: 40 }, () => 'x'.repeat(64 * 1024));
    const relayed = relay([event([content('ok')]), 'data: ', ...endless]);
    await assert.rejects(relayed, (err: unknown) => err instanceof TfError && err.code === 'upstream_error' && /longer than/.test(err.message));
  });

  it('reads CRLF and CR line endings, split across reads, as LF', async () => {
    const crlf = event([content('a')], '\r\n');
    const cr = event([content('b')], '\r');
    const { emitted } = await relay([crlf.slice(0, -3), crlf.slice(-3, -1), crlf.slice(-1) + cr, event([stop], '\r\n'), 'data: [DONE]\r\n\r\n']);
    assert.deepEqual(
      emitted.map((c) => (c.choices as { delta: { content?: string } }[])[0].delta.content),
      ['a', 'b', undefined],
    );
  });

  // Regression: a parser whose CR path looks for the next LF from every line start is quadratic here (~1 s for 1 MB).
  it('relays a 1 MB read of CR-ended events in linear time', async () => {
    const n = 10_000;
    const big = Array.from({ length: n }, (_, i) => event([content(`t${i}`)], '\r')).join('') + event([stop], '\r') + 'data: [DONE]\r\r';
    assert.ok(big.length > 1_000_000);
    const started = performance.now();
    const { emitted } = await relay([big]);
    const ms = performance.now() - started;
    assert.equal(emitted.length, n + 1);
    assert.ok(ms < 200, `took ${ms.toFixed(1)} ms`);
  });
});
