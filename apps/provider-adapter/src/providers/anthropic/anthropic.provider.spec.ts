import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Attempt } from '@tokenflow/contracts';
import { provider as AnthropicProvider } from './index';
import { OVERLOADED } from '../../../test/providers/anthropic/error.fixtures';
import { sseEvents, TOOL_USE_STREAM } from '../../../test/providers/anthropic/stream.fixtures';

function attempt(over: Partial<Attempt> = {}): Attempt {
  return {
    channelId: 'ch-1',
    channelName: 'anthropic-main',
    provider: 'anthropic',
    baseUrl: '',
    apiKey: 'sk-ant-api03-secret-0123456789',
    upstreamModel: 'claude-sonnet',
    timeouts: { connectMs: 1000, firstByteMs: 2000, idleMs: 3000 },
    ...over,
  };
}

const body = { model: 'claude-sonnet', messages: [{ role: 'user', content: 'hi' }] };
const sentModel = (a: Attempt) => (JSON.parse(AnthropicProvider.chat.buildRequest(a, body).body) as { model: string }).model;

describe('AnthropicProvider', () => {
  it('is the anthropic provider, for chat only', () => {
    assert.equal(AnthropicProvider.id, 'anthropic');
    assert.equal(AnthropicProvider.defaultBaseUrl, 'https://api.anthropic.com/v1');
    assert.equal(AnthropicProvider.embeddings, undefined);
    assert.equal(AnthropicProvider.completions, undefined);
  });

  it('posts to /v1/messages with x-api-key and anthropic-version, never an Authorization header', () => {
    const req = AnthropicProvider.chat.buildRequest(attempt(), body);
    assert.equal(req.url, 'https://api.anthropic.com/v1/messages');
    assert.deepEqual(req.headers, {
      'x-api-key': 'sk-ant-api03-secret-0123456789',
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
      accept: 'text/event-stream',
    });
    assert.equal(Object.keys(req.headers).some((h) => h.toLowerCase() === 'authorization'), false);
    assert.doesNotMatch(req.body, /sk-ant/);
  });

  it('completes base URLs the way the Anthropic SDK does: /v1/messages, or /messages after a /v1', () => {
    const url = (baseUrl: string) => AnthropicProvider.chat.buildRequest(attempt({ baseUrl }), body).url;
    // No base URL: the official default.
    assert.equal(url(''), 'https://api.anthropic.com/v1/messages');
    // Bare origins, official or a self-hosted proxy.
    assert.equal(url('https://api.anthropic.com'), 'https://api.anthropic.com/v1/messages');
    assert.equal(url('https://proxy.example'), 'https://proxy.example/v1/messages');
    // Anthropic-compatible endpoints as their docs give them.
    assert.equal(url('https://api.deepseek.com/anthropic'), 'https://api.deepseek.com/anthropic/v1/messages');
    assert.equal(url('https://api.moonshot.ai/anthropic'), 'https://api.moonshot.ai/anthropic/v1/messages');
    // Already versioned.
    assert.equal(url('https://proxy.example/v1'), 'https://proxy.example/v1/messages');
    assert.equal(url('https://api.anthropic.com/v1'), 'https://api.anthropic.com/v1/messages');
    // Trailing slashes are ignored.
    assert.equal(url('https://api.anthropic.com/'), 'https://api.anthropic.com/v1/messages');
    assert.equal(url('https://gateway.example/anthropic/v1//'), 'https://gateway.example/anthropic/v1/messages');
    assert.equal(url('https://api.deepseek.com/anthropic/'), 'https://api.deepseek.com/anthropic/v1/messages');
    // Only a whole `/v1` segment counts.
    assert.equal(url('https://proxy.example/apiv1'), 'https://proxy.example/apiv1/v1/messages');
  });

  it('sends the model the router planned, never renamed again (aliases are the router\'s one mapping step)', () => {
    assert.equal(sentModel(attempt({ upstreamModel: 'claude-sonnet-5-5' })), 'claude-sonnet-5-5');
    assert.equal(sentModel(attempt({ upstreamModel: 'claude-sonnet-4-5-20250929' })), 'claude-sonnet-4-5-20250929');
    assert.equal(sentModel(attempt({ upstreamModel: 'claude-sonnet' })), 'claude-sonnet');
  });

  it('applies the rules of the model it sends', () => {
    const req = AnthropicProvider.chat.buildRequest(attempt({ upstreamModel: 'claude-sonnet-5-5' }), { ...body, temperature: 0.3, reasoning_effort: 'low' });
    const sent = JSON.parse(req.body);
    assert.equal(sent.temperature, undefined);
    assert.deepEqual(sent.thinking, { type: 'adaptive' });
    assert.equal(sent.max_tokens, 20480);
    assert.equal(sent.stream, true);
  });

  it('creates a fresh decoder per attempt', () => {
    const first = AnthropicProvider.chat.createDecoder();
    const second = AnthropicProvider.chat.createDecoder();
    assert.notEqual(first, second);
    const events = sseEvents(TOOL_USE_STREAM);
    for (const ev of events) first.decode(ev.data, ev.event);
    // The second one has seen nothing: its first tool call is numbered 0 and carries its own message id.
    second.decode(events[0].data, events[0].event);
    const tool = events.find((e) => e.data.includes('"tool_use"'))!;
    const [chunk] = second.decode(tool.data, tool.event).chunks;
    assert.equal((chunk.choices as { delta: { tool_calls: { index: number }[] } }[])[0].delta.tool_calls[0].index, 0);
  });

  it('maps errors through the Anthropic error reader', () => {
    const err = AnthropicProvider.mapError(529, OVERLOADED, '3');
    assert.equal(err.code, 'upstream_error');
    assert.equal(err.retryable, true);
    assert.equal(err.retryAfterMs, 3000);
  });
});
