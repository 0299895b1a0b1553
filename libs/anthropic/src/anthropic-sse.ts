import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { type ErrorLike, toAnthropicError } from './anthropic-error';

export interface PingEvent {
  type: 'ping';
}

export interface ErrorEvent {
  type: 'error';
  error: { type: string; message: string };
}

export type AnthropicStreamEvent = RawMessageStreamEvent | PingEvent | ErrorEvent;

/**
 * One server-sent event as Anthropic writes it. The `event:` line is not decoration: the SDK skips events without
 * one, and recognises `ping` and `error` by it.
 */
export function sseEvent(event: AnthropicStreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** A failure after the 200 went out: Anthropic's `error` event, which the SDK raises as an APIError. */
export function anthropicErrorEvent(err: ErrorLike): string {
  return sseEvent({ type: 'error', error: toAnthropicError(err).body.error });
}
