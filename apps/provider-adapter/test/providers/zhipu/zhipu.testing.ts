import { strict as assert } from 'node:assert';
import { type Attempt, TfError } from '@tokenflow/contracts';
import { SseParser } from '@tokenflow/openai';

/** Test support for the Zhipu specs. */

export const PLAIN_KEY = 'sk-upstream-secret-0123456789';

export function zhipuAttempt(upstreamModel: string, overrides: Partial<Attempt> = {}): Attempt {
  return {
    channelId: 'ch-1',
    channelName: 'zhipu-main',
    provider: 'zhipu',
    baseUrl: '',
    apiKey: PLAIN_KEY,
    upstreamModel,
    timeouts: { connectMs: 1000, firstByteMs: 2000, idleMs: 3000 },
    ...overrides,
  };
}

export const sent = (req: { body: string }): Record<string, unknown> => JSON.parse(req.body) as Record<string, unknown>;

/** The `data` of each SSE event in a recorded body, split the way the adapter's parser splits it. */
export function sseData(sse: string): string[] {
  const out: string[] = [];
  const parser = new SseParser({ onEvent: (ev) => out.push(ev.data) });
  parser.feed(sse);
  return out;
}

/** One OpenAI chunk as the decoder should emit it. */
export function chunk(id: string, created: number, model: string, choices: Record<string, unknown>[]): Record<string, unknown> {
  return { id, object: 'chat.completion.chunk', created, model, choices };
}

export function thrown(fn: () => unknown): TfError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TfError, `expected a TfError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a TfError');
}
