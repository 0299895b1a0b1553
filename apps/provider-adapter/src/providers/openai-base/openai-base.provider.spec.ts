import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { type Attempt, TfError } from '@tokenflow/contracts';
import { OpenAiBaseProvider, sanitize } from './openai-base.provider';

const attempt: Attempt = {
  channelId: 'ch-1',
  channelName: 'deepseek-main',
  provider: 'deepseek',
  baseUrl: 'https://api.deepseek.example/v1',
  apiKey: 'sk-upstream-secret-0123456789',
  upstreamModel: 'deepseek-chat',
  timeouts: { connectMs: 1000, firstByteMs: 2000, idleMs: 3000 },
};

function clientBody(): Record<string, unknown> {
  return {
    model: 'deepseek-v3',
    messages: [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
    ],
    stream: false,
    stream_options: { include_usage: false },
    temperature: 0.3,
    top_p: 0.8,
    n: 2,
    stop: ['END'],
    max_tokens: 100,
    seed: 7,
    user: 'u-1',
    logprobs: true,
    top_logprobs: 2,
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    tool_choice: 'auto',
    response_format: { type: 'json_object' },
    enable_thinking: true,
  };
}

function thrown(fn: () => unknown): TfError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TfError, `expected TfError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a TfError');
}

describe('OpenAiBaseProvider.buildRequest', () => {
  const provider = new OpenAiBaseProvider({ id: 'deepseek' });

  it('keeps every client field, maps the model and forces streaming with usage', () => {
    const body = clientBody();
    const req = provider.buildRequest(attempt, body);
    const sent = JSON.parse(req.body) as Record<string, unknown>;
    assert.deepEqual(sent, {
      ...clientBody(),
      model: 'deepseek-chat',
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('does not modify the caller body', () => {
    const body = clientBody();
    provider.buildRequest(attempt, body);
    assert.deepEqual(body, clientBody());
  });

  it('posts to baseUrl + /chat/completions with a bearer token for SSE', () => {
    const req = provider.buildRequest(attempt, clientBody());
    assert.equal(req.url, 'https://api.deepseek.example/v1/chat/completions');
    assert.equal(req.headers.authorization, 'Bearer sk-upstream-secret-0123456789');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers.accept, 'text/event-stream');
  });

  it('honours a custom chat path', () => {
    const custom = new OpenAiBaseProvider({ id: 'zhipu', chatPath: '/paas/v4/chat/completions' });
    assert.equal(custom.buildRequest(attempt, clientBody()).url, 'https://api.deepseek.example/v1/paas/v4/chat/completions');
    assert.equal(custom.id, 'zhipu');
  });

  it('drops stream_options for upstreams that do not support stream usage', () => {
    const noUsage = new OpenAiBaseProvider({ id: 'x', supportsStreamUsage: false });
    const sent = JSON.parse(noUsage.buildRequest(attempt, clientBody()).body) as Record<string, unknown>;
    assert.equal('stream_options' in sent, false);
    assert.equal(sent.stream, true);
    assert.equal(sent.model, 'deepseek-chat');
  });
});

describe('OpenAiBaseProvider.parseEvent', () => {
  const provider = new OpenAiBaseProvider({ id: 'deepseek' });

  it('recognises [DONE]', () => {
    assert.deepEqual(provider.parseEvent('[DONE]'), { chunks: [], done: true });
    assert.deepEqual(provider.parseEvent(' [DONE]\n'), { chunks: [], done: true });
  });

  it('turns a usage-only chunk into usage with no chunk to forward', () => {
    const usage = { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12, prompt_tokens_details: { cached_tokens: 1 } };
    const ev = provider.parseEvent(JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [], usage }));
    assert.deepEqual(ev.chunks, []);
    assert.deepEqual(ev.usage, usage);
    assert.ok(!ev.done);
  });

  it('forwards a normal chunk without its usage field', () => {
    const chunk = {
      id: 'c',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'deepseek-chat',
      system_fingerprint: 'fp_1',
      choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }],
      usage: null,
    };
    const ev = provider.parseEvent(JSON.stringify(chunk));
    assert.equal(ev.chunks.length, 1);
    const { usage: _omit, ...expected } = chunk;
    assert.deepEqual(ev.chunks[0], expected);
    assert.equal('usage' in ev.chunks[0], false);
    assert.equal(ev.usage, undefined);
  });

  it('returns both the chunk and the usage when a content chunk carries usage', () => {
    const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 };
    const ev = provider.parseEvent(JSON.stringify({ id: 'c', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage }));
    assert.equal(ev.chunks.length, 1);
    assert.equal('usage' in ev.chunks[0], false);
    assert.deepEqual(ev.usage, usage);
  });

  it('rejects malformed JSON as a retryable upstream_error', () => {
    const err = thrown(() => provider.parseEvent('{"id": "c", "choices": ['));
    assert.equal(err.code, 'upstream_error');
    assert.equal(err.status, 502);
    assert.equal(err.retryable, true);
  });

  it('turns a mid-stream error object into an upstream_error, sanitised', () => {
    const err = thrown(() =>
      provider.parseEvent(JSON.stringify({ error: { message: 'overloaded at https://internal.example/x with sk-abcdefghijkl1234', type: 'server_error' } })),
    );
    assert.equal(err.code, 'upstream_error');
    assert.match(err.message, /overloaded/);
    assert.doesNotMatch(err.message, /internal\.example|sk-abcdefghijkl1234/);
  });
});

describe('OpenAiBaseProvider.mapError', () => {
  const provider = new OpenAiBaseProvider({ id: 'deepseek' });

  it('maps 400 to invalid_request carrying the upstream message', () => {
    const err = provider.mapError(400, JSON.stringify({ error: { message: "Invalid 'max_tokens': too large", type: 'invalid_request_error' } }), undefined);
    assert.ok(err instanceof TfError);
    assert.equal(err.code, 'invalid_request');
    assert.equal(err.status, 400);
    assert.equal(err.message, "Invalid 'max_tokens': too large");
    assert.equal(err.retryable, false);
  });

  it('maps 422 to invalid_request too, and reads the other error body shapes', () => {
    assert.equal(provider.mapError(422, JSON.stringify({ error: 'bad field' }), undefined).message, 'bad field');
    assert.equal(provider.mapError(400, JSON.stringify({ message: 'top-level message' }), undefined).message, 'top-level message');
    const fallback = provider.mapError(422, '<html>nope</html>', undefined);
    assert.equal(fallback.code, 'invalid_request');
    assert.doesNotMatch(fallback.message, /html/);
  });

  it('sanitises the upstream message it passes on', () => {
    const err = provider.mapError(400, JSON.stringify({ error: { message: 'key sk-live1234567890abcd is invalid, see https://docs.x/y' } }), undefined);
    assert.doesNotMatch(err.message, /sk-live1234567890abcd|https:/);
    assert.match(err.message, /\[redacted\]/);
  });

  it('maps 429 to a retryable rate_limit_exceeded with retryAfterMs from retry-after seconds', () => {
    const err = provider.mapError(429, JSON.stringify({ error: { message: 'slow down' } }), '7');
    assert.equal(err.code, 'rate_limit_exceeded');
    assert.equal(err.status, 429);
    assert.equal(err.retryable, true);
    assert.equal(err.retryAfterMs, 7000);
    assert.equal(provider.mapError(429, '', '1.5').retryAfterMs, 1500);
  });

  it('leaves retryAfterMs unset when retry-after is absent or not a number of seconds', () => {
    assert.equal(provider.mapError(429, '', undefined).retryAfterMs, undefined);
    assert.equal(provider.mapError(429, '', 'Wed, 21 Oct 2015 07:28:00 GMT').retryAfterMs, undefined);
    assert.equal(provider.mapError(429, '', '-3').retryAfterMs, undefined);
  });

  it('maps 401/403 to upstream_error without echoing the upstream message', () => {
    for (const status of [401, 403]) {
      const err = provider.mapError(status, JSON.stringify({ error: { message: 'Incorrect API key provided: abcd****wxyz' } }), undefined);
      assert.equal(err.code, 'upstream_error');
      assert.equal(err.status, 502);
      assert.doesNotMatch(err.message, /Incorrect API key|abcd/);
    }
  });

  it('maps 5xx to a retryable upstream_error naming only the status', () => {
    for (const status of [500, 502, 503]) {
      const err = provider.mapError(status, JSON.stringify({ error: { message: 'internal detail' } }), undefined);
      assert.equal(err.code, 'upstream_error');
      assert.equal(err.retryable, true);
      assert.match(err.message, new RegExp(`HTTP ${status}`));
      assert.doesNotMatch(err.message, /internal detail/);
    }
  });

  it('retries 404 and 408 but not other 4xx', () => {
    assert.equal(provider.mapError(404, '', undefined).retryable, true);
    assert.equal(provider.mapError(408, '', undefined).retryable, true);
    assert.equal(provider.mapError(409, '', undefined).retryable, false);
    assert.equal(provider.mapError(413, '', undefined).code, 'upstream_error');
  });
});

describe('sanitize', () => {
  it('redacts sk-, tf- and key- credentials', () => {
    const out = sanitize('bad keys: sk-proj-AbCdEf123456_-xyz, tf-0123456789abcdef and key-ZZZZZZZZZZ.');
    assert.equal(out, 'bad keys: [redacted], [redacted] and [redacted].');
  });

  it('redacts http and https URLs', () => {
    assert.equal(sanitize('see http://10.0.0.5:8080/v1/chat and https://api.example.com/x?y=1 now'), 'see [url] and [url] now');
  });

  it('leaves ordinary text and short sk- tokens alone', () => {
    assert.equal(sanitize('max_tokens must be <= 8192'), 'max_tokens must be <= 8192');
    assert.equal(sanitize('task-1 sk-short'), 'task-1 sk-short');
  });

  it('caps the message at 1000 characters', () => {
    assert.equal(sanitize('x'.repeat(5000)).length, 1000);
  });
});
