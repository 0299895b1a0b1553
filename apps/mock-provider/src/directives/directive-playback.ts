import type { FastifyReply } from 'fastify';
import { MALFORMED_JSON } from '../completion/response-format';
import type { ErrorDialect } from '../providers/error-dialect';
import { pause, untilAborted } from '../stream/client-signal';
import type { StreamScript } from '../stream/stream-writer.service';
import { type Directives, isHttpFailure } from './directive-parser.service';

/** `fail=timeout`: accept the request and send nothing until the client gives up. */
export function holdUntilGone(reply: FastifyReply, clientGone: AbortSignal): Promise<void> {
  reply.hijack();
  return untilAborted(clientGone);
}

/** The client left while we waited: there is no one to answer, so Fastify must not try to. */
export function abandon(reply: FastifyReply): void {
  reply.hijack();
}

/**
 * Waits out the time to first byte, then throws the scripted error status in the provider's format, if the
 * directives ask for one. False when the client left meanwhile.
 */
export async function waitOrFail(
  ttftMs: number,
  directives: Pick<Directives, 'fail' | 'retryAfterSeconds'>,
  errors: ErrorDialect,
  clientGone: AbortSignal,
): Promise<boolean> {
  if (!(await pause(ttftMs, clientGone))) return false;
  if (isHttpFailure(directives.fail)) throw errors.scripted(directives.fail, directives);
  return true;
}

/** Pacing, stall and mid-stream failure of a stream, from the directives. */
export function streamScript(directives: Directives, tps: number): StreamScript {
  const { fail, failAfter, stallAt, chunkDelayMs } = directives;
  const mode = fail === 'disconnect' || fail === 'malformed' ? fail : fail === 'stream-error' ? 'error' : undefined;
  return { tps, stall: { at: stallAt, ms: chunkDelayMs }, fail: mode ? { mode, after: failAfter } : undefined };
}

/** How long generating `tokens` takes at `tps` tokens per second (0 = instantly). */
export function generationMs(tokens: number, tps: number): number {
  return tps > 0 ? (tokens / tps) * 1000 : 0;
}

/**
 * The end of a plain (non-stream) response, once `waitMs` of generation have passed: dropped, cut mid-JSON, failed
 * or whole, as the directives say. A plain request has no stream to break, so `stream-error` becomes the
 * provider's server error.
 */
export async function sendPlain(
  reply: FastifyReply,
  directives: Pick<Directives, 'fail'>,
  waitMs: number,
  errors: ErrorDialect,
  body: () => unknown,
  clientGone: AbortSignal,
): Promise<void> {
  if (directives.fail === 'disconnect') {
    reply.hijack();
    reply.raw.destroy();
    return;
  }
  if (!(await pause(waitMs, clientGone))) return abandon(reply);
  if (directives.fail === 'malformed') return void reply.code(200).type('application/json').send(MALFORMED_JSON);
  if (directives.fail === 'stream-error') throw errors.serverError();
  return void reply.code(200).send(body());
}
