import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { TfError } from '@tokenflow/contracts';
import { attemptFor, sent } from '../../../test/providers/attempt.testing';
import { replay } from '../../../test/providers/fixture-replay';
import { provider as moonshot } from './index';
import { ERRORS, STREAM_WITH_USAGE_IN_CHOICE } from '../../../test/providers/moonshot/moonshot.fixtures';

describe('moonshot provider', () => {
  it('posts to api.moonshot.cn/v1 and applies Kimi\'s parameter rules', () => {
    const req = moonshot.chat.buildRequest(attemptFor('moonshot', 'kimi-k2-turbo-preview'), {
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 1.6,
      max_completion_tokens: 300,
      tool_choice: 'required',
      tools: [{ type: 'function', function: { name: 'f' } }],
    });
    assert.equal(req.url, 'https://api.moonshot.cn/v1/chat/completions');
    assert.deepEqual(sent(req), {
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 1,
      max_tokens: 300,
      tool_choice: 'auto',
      tools: [{ type: 'function', function: { name: 'f' } }],
      model: 'kimi-k2-turbo-preview',
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('json_schema (not in Kimi\'s API) goes as json_object with the schema as a system instruction after the caller\'s; json_object passes', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const body = sent(
      moonshot.chat.buildRequest(attemptFor('moonshot', 'kimi-k2-turbo-preview'), {
        messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Paris' }],
        response_format: { type: 'json_schema', json_schema: { name: 'place', schema, strict: true } },
      }),
    );
    assert.deepEqual(body.response_format, { type: 'json_object' });
    const messages = body.messages as { role: string; content: string }[];
    assert.deepEqual(messages.map((m) => m.role), ['system', 'system', 'user']);
    assert.equal(messages[0].content, 'Be brief.');
    assert.ok(messages[1].content.includes('JSON') && messages[1].content.includes(JSON.stringify(schema)), messages[1].content);
    const plain = sent(moonshot.chat.buildRequest(attemptFor('moonshot', 'kimi-k2-turbo-preview'), { messages: [{ role: 'user', content: 'json please' }], response_format: { type: 'json_object' } }));
    assert.deepEqual([plain.response_format, (plain.messages as unknown[]).length], [{ type: 'json_object' }, 1]);
  });

  it('refuses what Kimi cannot do with our own 400: n above 5, and n > 1 at a low temperature', () => {
    const build = (extra: Record<string, unknown>) => moonshot.chat.buildRequest(attemptFor('moonshot', 'kimi-latest'), { messages: [], ...extra });
    assert.throws(() => build({ n: 6 }), (e: TfError) => e.code === 'invalid_request' && e.param === 'n');
    assert.throws(() => build({ n: 2, temperature: 0.1 }), (e: TfError) => e.code === 'invalid_request' && e.param === 'temperature');
    assert.equal(sent(build({ n: 3, temperature: 0.7 })).n, 3);
  });

  it('takes usage from inside the last choice, and forwards that choice without it', () => {
    const out = replay(moonshot.chat.createDecoder(), STREAM_WITH_USAGE_IN_CHOICE);
    assert.equal(out.done, true);
    assert.deepEqual(out.usage, { prompt_tokens: 19, completion_tokens: 13, total_tokens: 32, prompt_tokens_details: { cached_tokens: 8 } });
    const last = out.chunks[out.chunks.length - 1].choices as Record<string, unknown>[];
    assert.deepEqual(last, [{ index: 0, delta: {}, finish_reason: 'stop' }]);
    assert.equal(out.chunks.map((c) => (c.choices as { delta: { content?: string } }[])[0].delta.content ?? '').join(''), '你好！');
  });

  it('maps Moonshot\'s errors: suspended quota, token limit, bad key, rate limit', () => {
    const map = (e: { status: number; body: string }) => moonshot.mapError(e.status, e.body, undefined);
    assert.equal(map(ERRORS.quota).code, 'upstream_quota_error');
    assert.equal(map(ERRORS.context).code, 'context_length_exceeded');
    assert.equal(map(ERRORS.auth).code, 'upstream_auth_error');
    assert.equal(map(ERRORS.rate).code, 'rate_limit_exceeded');
    assert.equal(moonshot.embeddings, undefined);
    assert.equal(moonshot.completions, undefined);
  });
});
