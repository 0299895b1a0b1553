import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { replay } from '../../test/providers/fixture-replay';
import { TEXT_STREAM as ANTHROPIC_TEXT_STREAM } from '../../test/providers/anthropic/stream.fixtures';
import { REASONER_STREAM } from '../../test/providers/deepseek/deepseek.fixtures';
import { STREAM_WITH_USAGE_IN_CHOICE } from '../../test/providers/moonshot/moonshot.fixtures';
import { STREAM_WITH_USAGE_CHUNK } from '../../test/providers/qwen/qwen.fixtures';
import { TEXT_STREAM as ZHIPU_TEXT_STREAM } from '../../test/providers/zhipu/zhipu.fixtures';
import { providerFor } from './provider.registry';

/** OpenAI's schema types `system_fingerprint` as a string: a chunk has one, or none — never null (issue 15). */
const fingerprints = (chunks: Record<string, unknown>[]) => chunks.filter((c) => 'system_fingerprint' in c).map((c) => c.system_fingerprint);

describe('system_fingerprint in decoded chunks (regression: null in Qwen answers, issue 15)', () => {
  it("OpenAI-compatible wire (Qwen): DashScope's null fingerprint is dropped, the rest of the chunk kept", () => {
    const out = replay(providerFor('qwen').chat.createDecoder(), STREAM_WITH_USAGE_CHUNK);
    assert.ok(out.chunks.length > 0);
    assert.deepEqual(fingerprints(out.chunks), []);
    assert.ok(out.chunks.every((c) => c.object === 'chat.completion.chunk' && c.id));
  });

  it('OpenAI-compatible wire (DeepSeek): a real fingerprint string passes through unchanged', () => {
    const out = replay(providerFor('deepseek').chat.createDecoder(), REASONER_STREAM);
    assert.ok(out.chunks.length > 0);
    assert.ok(fingerprints(out.chunks).every((f) => f === 'fp_7e73fd9a08_prod0225'));
    assert.equal(fingerprints(out.chunks).length, out.chunks.length);
  });

  it('OpenAI-compatible wire (Moonshot): chunks without a fingerprint get none added', () => {
    const out = replay(providerFor('moonshot').chat.createDecoder(), STREAM_WITH_USAGE_IN_CHOICE);
    assert.ok(out.chunks.length > 0);
    assert.deepEqual(fingerprints(out.chunks), []);
  });

  it('Zhipu wire: no fingerprint on any chunk', () => {
    const out = replay(providerFor('zhipu').chat.createDecoder(), ZHIPU_TEXT_STREAM);
    assert.ok(out.chunks.length > 0);
    assert.deepEqual(fingerprints(out.chunks), []);
  });

  it('Anthropic wire: no fingerprint on any chunk', () => {
    const out = replay(providerFor('anthropic').chat.createDecoder(), ANTHROPIC_TEXT_STREAM);
    assert.ok(out.chunks.length > 0);
    assert.deepEqual(fingerprints(out.chunks), []);
  });
});
