import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { MALFORMED_JSON, type StreamChunk } from '../completion/response-format';
import { pause } from './client-signal';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
} as const;

const DONE = 'data: [DONE]\n\n';
const MALFORMED_EVENT = `data: ${MALFORMED_JSON}\n\n`;

export interface StreamScript {
  /** Tokens (content chunks) per second; 0 sends everything at once. */
  tps: number;
  /** An extra pause before content chunk number `stallAt` (1-based). */
  stall: { at: number; ms: number };
  /** Break the stream after `after` content chunks. */
  fail?: { mode: 'disconnect' | 'malformed'; after: number };
}

/** Writes an SSE chat stream with the scripted pacing and failures, stopping as soon as the client leaves. */
@Injectable()
export class StreamWriterService {
  async write(reply: FastifyReply, chunks: readonly StreamChunk[], script: StreamScript, clientGone: AbortSignal): Promise<void> {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, SSE_HEADERS);
    const interval = script.tps > 0 ? 1000 / script.tps : 0;
    let contentChunks = 0;
    for (const chunk of chunks) {
      if (chunk.kind !== 'role' && script.fail && contentChunks >= script.fail.after) {
        this.break(res, script.fail.mode);
        return;
      }
      if (chunk.kind === 'token') {
        contentChunks++;
        const wait = interval + (contentChunks === script.stall.at ? script.stall.ms : 0);
        if (!(await pause(wait, clientGone))) return;
      }
      if (!(await this.send(res, `data: ${JSON.stringify(chunk.body)}\n\n`, clientGone))) return;
    }
    res.end(DONE);
  }

  private break(res: ServerResponse, mode: 'disconnect' | 'malformed'): void {
    if (mode === 'malformed') {
      res.end(MALFORMED_EVENT);
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
