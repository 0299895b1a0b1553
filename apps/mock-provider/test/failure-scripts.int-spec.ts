import { strict as assert } from 'node:assert';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createMockProviderApp, type MockProviderApp } from '../src/mock-provider.app';
import { endsWithDone, postJson, readSse } from './http-client';

const messages = [{ role: 'user', content: 'Say hello' }];
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('scripted failures over HTTP (fail-rate=, fail-first=)', () => {
  let mock: MockProviderApp;
  const reset = () => fetch(`${mock.url}/mock/requests`, { method: 'DELETE' });

  before(async () => {
    mock = await createMockProviderApp({ port: 0, ttftMs: 0, tps: 0, seed: 1 });
  });
  after(() => mock.close());
  beforeEach(reset);

  it('fails the first n requests per key in the provider format, streamed or not, until the reset', async () => {
    const url = `${mock.url}/zhipu/api/paas/v4/chat/completions`;
    const model = 'glm-4-plus+fail-first=2+fail=overloaded';
    const first = await postJson(url, { model, messages }, bearer('key-a'));
    assert.equal(first.status, 429);
    assert.equal(first.body.error.code, '1305');
    assert.equal((await readSse(url, { model, messages, stream: true }, bearer('key-a'))).status, 429);
    assert.equal((await postJson(url, { model, messages }, bearer('key-b'))).status, 429);
    const third = await readSse(url, { model, messages, stream: true }, bearer('key-a'));
    assert.equal(third.status, 200);
    assert.ok(!third.cut);
    assert.equal((await postJson(url, { model, messages }, bearer('key-a'))).body.model, 'glm-4-plus');

    assert.equal((await reset()).status, 204);
    assert.equal((await postJson(url, { model, messages }, bearer('key-a'))).status, 429);
  });

  it('fails about fail-rate percent of requests with the same outcomes after a reset', async () => {
    const url = `${mock.url}/deepseek/chat/completions`;
    const run = async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) statuses.push((await postJson(url, { model: 'deepseek-chat+fail-rate=25', messages }, bearer('k'))).status);
      return statuses;
    };
    const statuses = await run();
    const failed = statuses.filter((s) => s === 500).length;
    assert.equal(failed + statuses.filter((s) => s === 200).length, 200);
    assert.ok(failed > 30 && failed < 70, `${failed} of 200 failed`);
    await reset();
    assert.deepEqual(await run(), statuses);
  });

  it('plays a stream failure kind on the unlucky requests only', async () => {
    const url = `${mock.url}/v1/chat/completions`;
    const model = 'gpt-4o+fail-first=1+fail=disconnect+fail-after=1';
    const cut = await readSse(url, { model, messages, stream: true }, bearer('k'));
    assert.ok(cut.cut || !endsWithDone(cut));
    assert.ok(endsWithDone(await readSse(url, { model, messages, stream: true }, bearer('k'))));
  });
});
