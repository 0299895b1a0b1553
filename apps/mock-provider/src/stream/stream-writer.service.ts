import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { pause } from './client-signal';
import type { SseEncoding, SseFrame } from './sse-frame';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
} as const;

/** How often a waiting DeepSeek-style upstream repeats its keep-alive (the first one goes out at once). */
export const KEEP_ALIVE_INTERVAL_MS = 1000;

export type StreamBreak = 'disconnect' | 'malformed' | 'error';

export interface StreamScript {
  /** Tokens (content chunks) per second; 0 sends everything at once. */
  tps: number;
  /** An extra pause before content chunk number `stallAt` (1-based). */
  stall: { at: number; ms: number };
  /** Break the stream after `after` content chunks. */
  fail?: { mode: StreamBreak; after: number };
  /** Time to first token spent with the headers sent, idling with `encoding.keepAlive` comments. */
  leadInMs?: number;
}

/** Writes an SSE stream with the scripted pacing and failures, stopping as soon as the client leaves. */
@Injectable()
export class StreamWriterService {
  async write(
    reply: FastifyReply,
    frames: readonly SseFrame[],
    encoding: SseEncoding,
    script: StreamScript,
    clientGone: AbortSignal,
  ): Promise<void> {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, SSE_HEADERS);
    if (script.leadInMs && encoding.keepAlive) {
      if (!(await this.idle(res, script.leadInMs, encoding.keepAlive, clientGone))) return;
    }
    const interval = script.tps > 0 ? 1000 / script.tps : 0;
    let contentChunks = 0;
    for (const frame of frames) {
      if (frame.role !== 'head' && script.fail && contentChunks >= script.fail.after) {
        this.break(res, script.fail.mode, encoding);
        return;
      }
      if (frame.role === 'token') {
        contentChunks++;
        const wait = interval + (contentChunks === script.stall.at ? script.stall.ms : 0);
        if (!(await pause(wait, clientGone))) return;
      }
      if (!(await this.send(res, frame.text, clientGone))) return;
    }
    res.end(encoding.done ?? '');
  }

  /**
   * A plain JSON answer from an upstream that commits to 200 at once and sends blank lines while it works (DeepSeek
   * under load): JSON parsers skip the leading whitespace, naive clients that wait for the first byte do not.
   */
  async writeJsonAfter(reply: FastifyReply, json: string, waitMs: number, keepAlive: string, clientGone: AbortSignal): Promise<void> {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    if (!(await this.idle(res, waitMs, keepAlive, clientGone))) return;
    res.end(json);
  }

  /** Sends `keepAlive` now and every {@link KEEP_ALIVE_INTERVAL_MS} until `ms` have passed; false if the client left. */
  private async idle(res: ServerResponse, ms: number, keepAlive: string, clientGone: AbortSignal): Promise<boolean> {
    const started = performance.now();
    for (let sent = 0; sent * KEEP_ALIVE_INTERVAL_MS < ms; sent++) {
      if (!(await this.send(res, keepAlive, clientGone))) return false;
      const next = Math.min((sent + 1) * KEEP_ALIVE_INTERVAL_MS, ms);
      if (!(await pause(next - (performance.now() - started), clientGone))) return false;
    }
    return true;
  }

  private break(res: ServerResponse, mode: StreamBreak, encoding: SseEncoding): void {
    if (mode === 'malformed') {
      res.end(encoding.malformed);
      return;
    }
    if (mode === 'error') {
      res.end(encoding.error());
      return;
    }
    // destroy() alone would discard chunks still buffered in the socket: close it once they are on the wire,
    // without the chunked-encoding terminator, so the client sees a body cut short.
    const socket = res.socket;
    if (socket) socket.end(() => socket.destroy());
    else res.destroy();
  }

  /** Honours backpressure so a slow reader of a long stream does not make the mock buffer it all. */
  private async send(res: ServerResponse, frame: string, clientGone: AbortSignal): Promise<boolean> {
    if (res.destroyed) return false;
    if (res.write(frame)) return true;
    try {
      await once(res, 'drain', { signal: clientGone });
      return true;
    } catch {
      return false;
    }
  }
}
