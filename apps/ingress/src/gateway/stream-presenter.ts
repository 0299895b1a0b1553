import { Headers, type PriceQuote, type StreamFrame, TfError, type TokenUsage, nanoToUsd, pricedUsage, usageCostNano } from '@tokenflow/contracts';
import type { CallContext } from '@tokenflow/messaging';
import { idleWait, type OpenedStream } from './attempt-runner';
import type { ClientChannel } from './client-channel';
import type { RequestSaga } from './request-saga';
import type { ResponseFormat } from './response-format';
import type { RequestTrail } from '../trail/request-trail';

/** Above this many chunks, a folded answer is serialized in slices (see `stringifyInSlices`). */
const LARGE_ANSWER_CHUNKS = 1_024;

export interface Presentation {
  stream: OpenedStream;
  format: ResponseFormat;
  client: ClientChannel;
  saga: RequestSaga;
  ctx: CallContext;
  price: PriceQuote;
  /** Who served it (model, provider, route), on the answer's headers. */
  headers: Record<string, string>;
  /** Aborted (with the error to answer) when the ingress shuts down before the answer is complete. */
  cut?: AbortSignal;
  /** Told the usage, its cost and an error the stream ended with. */
  trail?: RequestTrail;
}

/**
 * Streams or folds the opened attempt, as the client asked. A client that leaves stops the wait for frames at once;
 * a shutdown's cut fails the frames with its error, which the client then gets (an error event, or the error body).
 */
export async function present(p: Presentation): Promise<void> {
  const stop = () => p.stream.frames.close();
  const cut = () => p.stream.frames.fail(TfError.from(p.cut?.reason));
  p.client.signal.addEventListener('abort', stop, { once: true });
  p.cut?.addEventListener('abort', cut, { once: true });
  if (p.client.signal.aborted) stop();
  else if (p.cut?.aborted) cut();
  p.format.served?.(p.headers[Headers.model]);
  try {
    await (p.format.streaming ? relay(p) : assemble(p));
  } finally {
    p.client.signal.removeEventListener('abort', stop);
    p.cut?.removeEventListener('abort', cut);
  }
}

/**
 * SSE: each frame goes out as it arrives. A reader slower than the upstream is waited for (frames wait in the
 * inbox, up to its bound) rather than piling writes up; one that does not drain within the idle time has gone. When
 * the frames fail meanwhile (the inbox overflowed, frames were lost, shutdown), the wait ends at once and the client
 * gets the failure as an error event — never `[DONE]` after a failure.
 */
async function relay({ stream, format, client, saga, ctx, price, headers, trail }: Presentation): Promise<void> {
  client.openStream(headers);
  let frame: StreamFrame = stream.first;
  try {
    for (;;) {
      if (client.signal.aborted) return;
      if (frame.type === 'chunk') {
        const out = format.chunk(frame.data);
        if (out) trail?.content?.append(out);
        if (out && !client.write(out) && !(await client.drained(idleWait(stream.attempt, ctx), stream.frames.failure))) {
          // The frames failed while we waited for the reader: it hears why (after what it has not read yet).
          if (stream.frames.failure.aborted) throw stream.frames.failure.reason;
          saga.clientDisconnected();
          client.abandon();
          return;
        }
      } else if (frame.type === 'end') {
        saga.attemptEnded();
        const cost = frame.usage ? costNano(frame.usage, price) : null;
        trail?.settled(frame.usage, cost);
        const end = format.end(frame.usage, cost === null ? null : nanoToUsd(cost));
        trail?.content?.append(end);
        client.write(end);
        return;
      } else {
        saga.attemptEnded();
        // Bytes already went out: the status is 200, so the failure travels as an error event.
        const err = TfError.fromWire(frame.error);
        trail?.failed(err);
        client.write(format.error(err));
        return;
      }
      frame = await stream.frames.next(idleWait(stream.attempt, ctx));
    }
  } catch (err) {
    // The attempt went silent past the deadline (the saga stops it); the client hears why.
    if (!client.signal.aborted) {
      trail?.failed(err);
      client.write(format.error(TfError.from(err)));
    }
  } finally {
    client.endStream();
  }
}

/** Whole: every frame folded into the API's one body, sent once usage is known. */
async function assemble({ stream, format, client, saga, ctx, price, headers, trail }: Presentation): Promise<void> {
  let frame: StreamFrame = stream.first;
  let chunks = 0;
  for (;;) {
    if (frame.type === 'chunk') {
      // A chunk we cannot fold (an upstream's invalid tool-call index) throws: the saga stops the attempt.
      format.add(frame.data);
      chunks++;
    } else if (frame.type === 'end') {
      saga.attemptEnded();
      break;
    } else {
      saga.attemptEnded();
      throw TfError.fromWire(frame.error);
    }
    frame = await stream.frames.next(idleWait(stream.attempt, ctx));
  }
  const cost = frame.usage ? costNano(frame.usage, price) : null;
  trail?.settled(frame.usage, cost);
  const answerHeaders = cost === null ? headers : { ...headers, [Headers.cost]: nanoToUsd(cost) };
  // Thousands of chunks make a large body (logprobs for every token): serialized in slices, between other work.
  await client.send(answerHeaders, format.result(frame.usage), chunks > LARGE_ANSWER_CHUNKS);
}

/** What the ledger charges for this usage: the same mapping (`pricedUsage`) and prices, cache writes and audio included. */
function costNano(usage: TokenUsage, price: PriceQuote): bigint {
  return usageCostNano(pricedUsage(usage), price);
}
