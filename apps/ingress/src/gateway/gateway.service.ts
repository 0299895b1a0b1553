import { Injectable } from '@nestjs/common';
import {
  AUTO_MODEL,
  type Endpoint,
  Headers,
  type KeyPrincipal,
  nanoToUsd,
  type PlanReply,
  type PriceQuote,
  type RateLimitAcquireReply,
  type StreamFrame,
  Subjects,
  rateLimitHeaders,
  TfError,
  type TokenUsage,
  usageCostNano,
} from '@tokenflow/contracts';
import { type CallContext, NatsBus } from '@tokenflow/messaging';
import { type PromptCount, unsupportedContent } from '@tokenflow/openai';
import type { FastifyReply } from 'fastify';
import { AdmissionService } from './admission.service';
import { type AttemptState, idleWait, type OpenedStream, openFirstGoodAttempt } from './attempt-runner';
import { JsonWorkers } from '../http/json-workers';
import { stringifyInSlices } from '../http/sliced-json';
import { type CarriedBody, carryBody } from './carried-body';
import { holdSize, withOutputCap } from './hold-size';
import type { ResponseFormat } from './response-format';

export interface GatewayCall {
  endpoint: Endpoint;
  /** The validated OpenAI-shaped body for that endpoint (Anthropic requests arrive here translated). */
  body: Record<string, unknown> & { model: string };
  /** How the result reaches the client (OpenAI chat chunks, Anthropic events, one JSON body…). */
  format: ResponseFormat;
  principal: KeyPrincipal;
  /** The prompt's tokens, counted once per call (see `TokenCounter`): holds and limits reserve, the adapter bills. */
  prompt: PromptCount;
  /** The request body's size as received: a large one is encoded for the bus off the event loop. */
  bodyBytes: number;
  requestId: string;
  deadlineAt: number;
  ctx: CallContext;
  reply: FastifyReply;
}

/** Above this many chunks, a folded answer is serialized in slices (see `stringifyInSlices`). */
const LARGE_ANSWER_CHUNKS = 1_024;

/** How many larger models `auto` may try after inputs that did not fit. */
const MAX_CONTEXT_FALLBACKS = 2;

/** What the rounds of one call share. */
interface CallState {
  /** Models that refused the input as too long. */
  tried: string[];
  /** Taken by the first round, released when the call ends. */
  limits: RateLimitAcquireReply | null;
  /** Whether the last round's adapter may still bill (then its usage event corrects the TPM estimate). */
  adapterMayBill: boolean;
}

/** The model a plan chose could not take the input; `auto` may plan again without it. */
class ContextTooLong extends Error {
  constructor(
    readonly model: string,
    override readonly cause: TfError,
  ) {
    super(cause.message);
  }
}

/**
 * The hot path, the same for every API: the plan, then admission (rate limits, then the hold for the request's
 * maximum cost), then the upstream stream relayed to the client as it arrives (SSE) or folded into one body.
 * Both modes read the same upstream stream, so the same deadlines and the same usage accounting apply to both.
 */
@Injectable()
export class GatewayService {

  constructor(
    private readonly bus: NatsBus,
    private readonly admission: AdmissionService,
    private readonly json: JsonWorkers,
  ) {}

  async complete(call: GatewayCall): Promise<void> {
    const { body, principal } = call;
    if (principal.models && body.model !== AUTO_MODEL && !principal.models.includes(body.model)) {
      throw new TfError('model_not_allowed', `This API key is not allowed to use the model '${body.model}'.`, { param: 'model' });
    }
    // One call, one admission to the limiter: kept across `auto`'s fallback rounds and given back once, here.
    const state: CallState = { tried: [], limits: null, adapterMayBill: false };
    try {
      for (let round = 0; ; round++) {
        try {
          // Each round is its own request to the ledger: the previous round's hold is already released.
          return await this.completeOnce(round === 0 ? call : { ...call, requestId: `${call.requestId}-r${round}` }, state);
        } catch (err) {
          // `auto` chose the model, so it may choose a larger one when the input did not fit; a named model stays.
          const retry = body.model === AUTO_MODEL && err instanceof ContextTooLong && round < MAX_CONTEXT_FALLBACKS && !call.reply.sent;
          if (!retry) throw err instanceof ContextTooLong ? err.cause : err;
          state.tried.push(err.model);
        }
      }
    } finally {
      // Every exit path frees the concurrency slots; the TPM estimate goes back whole if no usage will correct it.
      if (state.limits) this.admission.releaseLimits(state.limits, call.requestId, principal.accountId, !state.adapterMayBill);
    }
  }

  private async completeOnce(call: GatewayCall, state: CallState): Promise<void> {
    const { body, principal, requestId, ctx } = call;
    const counted = call.prompt.tokens;
    const fallback = state.tried.length ? { excludeModels: state.tried, minContextTokens: counted } : {};
    const plan = await this.bus.request(Subjects.routerPlan, { requestId, model: body.model, allowedModels: principal.models, ...fallback }, { ctx });
    // A part the model cannot take (an image to a text-only model) is the caller's 400, before limits or money.
    if (plan.inputs && call.endpoint === 'chat') {
      const inputs = new Set(plan.inputs);
      const refused = unsupportedContent(body as { messages?: unknown }, { image: inputs.has('image'), audio: inputs.has('audio'), file: inputs.has('file') }, plan.model);
      if (refused) throw refused;
    }
    const { limits, hold } = await this.admission.admit({
      requestId,
      size: holdSize(body, plan.maxOutputTokens, call.endpoint, call.prompt.reserve),
      principal,
      plan,
      deadlineAt: call.deadlineAt,
      ctx,
      carried: state.limits ?? undefined,
    });
    if (!state.limits) {
      state.limits = limits;
      // On every response from here on, errors included.
      call.reply.headers(rateLimitHeaders(limits));
    }
    // Once an adapter accepted an attempt, a usage event will settle the request (and correct its TPM estimate).
    const attempts: AttemptState = { adapterMayBill: false };
    try {
      await this.run(call, plan, limits, hold.price, attempts, counted);
    } catch (err) {
      if (err instanceof TfError && err.code === 'context_length_exceeded') throw new ContextTooLong(plan.model, err);
      throw err;
    } finally {
      state.adapterMayBill = attempts.adapterMayBill;
    }
  }

  private async run(call: GatewayCall, plan: PlanReply, limits: RateLimitAcquireReply, price: PriceQuote, attempts: AttemptState, counted: number): Promise<void> {
    // Served until the call is over: every attempt (a fallback channel, too) may fetch it.
    const carried = await carryBody(this.bus, this.json, { ...withOutputCap(call.body, plan, call.endpoint, counted), model: plan.model }, call.bodyBytes);
    try {
      await this.runAttempts(call, plan, limits, price, attempts, counted, carried);
    } finally {
      carried.close();
    }
  }

  private async runAttempts(
    call: GatewayCall,
    plan: PlanReply,
    limits: RateLimitAcquireReply,
    price: PriceQuote,
    attempts: AttemptState,
    counted: number,
    carried: CarriedBody,
  ): Promise<void> {
    const { principal, requestId, ctx } = call;
    const abort = new AbortController();
    let finished = false;
    call.reply.raw.on('close', () => {
      if (finished) return;
      abort.abort();
      this.bus.emit(Subjects.adapterCancel, { requestId, reason: 'client_disconnected' }, requestId);
    });

    let opened: OpenedStream;
    if (call.reply.raw.destroyed) abort.abort();
    try {
      opened = await openFirstGoodAttempt(
        this.bus,
        plan.attempts,
        {
          requestId,
          endpoint: call.endpoint,
          ...carried.fields,
          deadlineAt: call.deadlineAt,
          accountId: principal.accountId,
          keyId: principal.keyId,
          model: plan.model,
          price,
          promptTokens: counted,
        },
        ctx,
        abort.signal,
        attempts,
      );
    } catch (err) {
      finished = true;
      this.bus.emit(Subjects.adapterCancel, { requestId, reason: abort.signal.aborted ? 'client_disconnected' : 'deadline' }, requestId);
      // No output reached us. If no adapter can still bill, give the money back now; otherwise the cancelled
      // attempt's usage event releases it (and the expiry job if that adapter died).
      if (!attempts.adapterMayBill) await this.admission.releaseHold({ requestId, accountId: principal.accountId, keyId: principal.keyId });
      throw err;
    }
    const stream = opened;
    abort.signal.addEventListener('abort', () => stream.inbox.close(), { once: true });
    const headers = this.successHeaders(plan, limits, stream);
    try {
      if (call.format.streaming) await this.relay(call, stream, headers, price, () => abort.signal.aborted);
      else await this.assemble(call, stream, headers, price);
    } finally {
      finished = true;
      stream.inbox.close();
    }
  }

  private async relay(
    call: GatewayCall,
    s: OpenedStream,
    headers: Record<string, string>,
    price: PriceQuote,
    isCancelled: () => boolean,
  ): Promise<void> {
    const raw = call.reply.raw;
    const format = call.format;
    const preset = call.reply.getHeaders() as Record<string, string>;
    call.reply.hijack();
    raw.writeHead(200, {
      ...preset,
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let frame: StreamFrame = s.first;
    try {
      for (;;) {
        if (isCancelled() || raw.destroyed) {
          this.bus.emit(Subjects.adapterCancel, { requestId: call.requestId, reason: 'client_disconnected' }, call.requestId);
          return;
        }
        if (frame.type === 'chunk') {
          const out = format.chunk(frame.data);
          // A reader slower than the upstream: wait for its socket to drain (frames wait in the inbox), rather than
          // pile writes up for one large flush; one that does not drain within the idle time has gone.
          if (out && !raw.write(out) && !(await drained(raw, idleWait(s.attempt, call.deadlineAt)))) {
            this.bus.emit(Subjects.adapterCancel, { requestId: call.requestId, reason: 'client_disconnected' }, call.requestId);
            raw.destroy();
            return;
          }
        } else if (frame.type === 'end') {
          raw.write(format.end(frame.usage, frame.usage ? nanoToUsd(costNano(frame.usage, price)) : null));
          return;
        } else {
          // Bytes already went out: the status is 200, so the failure travels as an error event.
          raw.write(format.error(TfError.fromWire(frame.error)));
          return;
        }
        frame = await s.inbox.next(idleWait(s.attempt, call.deadlineAt));
      }
    } catch (err) {
      this.bus.emit(Subjects.adapterCancel, { requestId: call.requestId, reason: 'deadline' }, call.requestId);
      if (!raw.destroyed) raw.write(format.error(TfError.from(err)));
    } finally {
      if (!raw.destroyed) raw.end();
    }
  }

  private async assemble(call: GatewayCall, s: OpenedStream, headers: Record<string, string>, price: PriceQuote): Promise<void> {
    let frame: StreamFrame = s.first;
    let chunks = 0;
    try {
      for (;;) {
        if (frame.type === 'chunk') {
          call.format.add(frame.data);
          chunks++;
        }
        else if (frame.type === 'end') break;
        else throw TfError.fromWire(frame.error);
        frame = await s.inbox.next(idleWait(s.attempt, call.deadlineAt));
      }
    } catch (err) {
      // Timed out, or a chunk we cannot fold (an upstream's invalid tool-call index): stop the attempt.
      if (frame.type !== 'error') this.bus.emit(Subjects.adapterCancel, { requestId: call.requestId, reason: 'deadline' }, call.requestId);
      throw err;
    }
    if (frame.usage) headers[Headers.cost] = nanoToUsd(costNano(frame.usage, price));
    const result = call.format.result(frame.usage);
    // Thousands of chunks make a large body (logprobs for every token): serialized in slices, between other work.
    if (chunks > LARGE_ANSWER_CHUNKS) call.reply.status(200).headers(headers).type('application/json').send(await stringifyInSlices(result));
    else call.reply.status(200).headers(headers).send(result);
  }

  private successHeaders(plan: PlanReply, limits: RateLimitAcquireReply, s: OpenedStream): Record<string, string> {
    const h: Record<string, string> = {
      [Headers.model]: plan.model,
      [Headers.provider]: s.attempt.provider,
    };
    if (plan.route !== 'direct') h[Headers.route] = `${plan.route}; model=${plan.model}`;
    return { ...h, ...rateLimitHeaders(limits) };
  }
}

/** Resolves true once `socket` drained, false when it closed or `ms` passed first. */
function drained(socket: NodeJS.WritableStream & { once(e: string, f: () => void): unknown; off(e: string, f: () => void): unknown }, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => finish(true);
    const onClose = () => finish(false);
    const timer = setTimeout(() => finish(false), Math.max(1, ms));
    socket.once('drain', onDrain);
    socket.once('close', onClose);
  });
}

function costNano(usage: TokenUsage, price: PriceQuote): bigint {
  return usageCostNano(
    {
      promptTokens: usage.prompt_tokens ?? 0,
      cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
      completionTokens: usage.completion_tokens ?? 0,
    },
    price,
  );
}
