import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { TfError } from '@tokenflow/contracts';
import { attemptFor, sent } from '../../test/providers/attempt.testing';
import { capability, providerFor } from '../providers/provider.registry';
import { LargeBodies } from './large-bodies';

describe('LargeBodies (a worker thread for bodies beyond one NATS message)', () => {
  const large = new LargeBodies();
  after(() => large.onApplicationShutdown());

  const body = { model: 'claude-sonnet', max_tokens: 16, messages: [{ role: 'user', content: [{ type: 'text', text: 'what is it?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${'A'.repeat(2_000_000)}` } }] }] };

  it('parses the fetched bytes and builds the same upstream request the provider builds in process', async () => {
    const parsed = await large.parse(Buffer.from(JSON.stringify(body)));
    assert.deepEqual(parsed, body);
    const attempt = attemptFor('anthropic', 'claude-sonnet-5-5');
    const inWorker = await large.buildRequest(attempt, 'chat', parsed);
    const inProcess = capability(providerFor('anthropic'), 'chat').buildRequest(attempt, parsed);
    assert.equal(inWorker.url, inProcess.url);
    assert.deepEqual(sent(inWorker), sent(inProcess));
  });

  it("brings a provider's refusal back as the same error", async () => {
    await assert.rejects(large.buildRequest(attemptFor('anthropic', 'claude-sonnet-5-5'), 'chat', { ...body, n: 2 }), (err: unknown) => err instanceof TfError && err.status === 400);
  });
});
