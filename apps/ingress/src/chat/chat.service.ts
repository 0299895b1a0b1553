import { Injectable } from '@nestjs/common';
import {
  AUTO_MODEL,
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
import { type ChatRequest, CompletionAssembler, SSE_DONE, sseData } from '@tokenflow/openai';
import type { FastifyReply } from 'fastify';
import { createLogger } from '@tokenflow/observability';
import { type AttemptState, idleWait, type OpenedStream, openFirstGoodAttempt } from './attempt-runner';
import { AdmissionService } from './admission.service';
import { withOutputCap } from './hold-size';

export interface ChatCall {
  body: ChatRequest;
  principal: KeyPrincipal;
  requestId: string;
  deadlineAt: number;
  ctx: CallContext;
  reply: FastifyReply;
}

/**
 * The hot path: the plan, then admission (rate limits, then the hold for the request's maximum cost), then the
 * upstream stream relayed to the client as it arrives (SSE) or assembled into one completion. Both modes read the same upstream stream, so the same
 * deadlines and the same usage accounting apply to both.
 */
@Injectable()
export class ChatService {
  private readonly log = createLogger('ingress.chat');

  constructor(
    private readonly bus: NatsBus,
    private readonly admission: AdmissionService,
  ) {}

  async complete(call: ChatCall): Promise<void> {
    const { body, principal, requestId, ctx } = call;
    if (principal.models && body.model !== AUTO_MODEL && !principal.models.includes(body.model)) {
      throw new TfError('model_not_allowed', `This API key is not allowed to use the model '${body.model}'.`, { param: 'model' });
    }
    const plan = await this.bus.request(Subjects.routerPlan, { requestId, model: body.model, allowedModels: principal.models }, { ctx });
    const { limits, hold } = await this.admission.admit({ requestId, body, principal, plan, deadlineAt: call.deadlineAt, ctx });
    // On every response from here on, errors included.
    call.reply.headers(rateLimitHeaders(limits));
    // Once an adapter accepted an attempt, a usage event will settle the request (and correct its TPM estimate).
    const attempts: AttemptState = { adapterMayBill: false };
    try {
      await this.run(call, plan, limits, hold.price, attempts);
    } finally {
      // Every exit path frees the concurrency slots; the TPM estimate goes back whole if no usage will correct it.
      this.admission.releaseLimits(limits, requestId, principal.accountId, !attempts.adapterMayBill);
    }
  }

  private async run(call: ChatCall, plan: PlanReply, limits: RateLimitAcquireReply, price: PriceQuote, attempts: AttemptState): Promise<void> {
    const { body, principal, requestId, ctx } = call;
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
          body: { ...withOutputCap(body, plan.maxOutputTokens), model: plan.model },
          deadlineAt: call.deadlineAt,
          accountId: principal.accountId,
          keyId: principal.keyId,
          model: plan.model,
          price,
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
      if (body.stream) await this.relay(call, stream, headers, price, () => abort.signal.aborted);
      else await this.assemble(call, stream, headers, price);
    } finally {
      finished = true;
      stream.inbox.close();
    }
  }

  private async relay(
    call: ChatCall,
    s: OpenedStream,
    headers: Record<string, string>,
    price: PriceQuote,
    isCancelled: () => boolean,
  ): Promise<void> {
    const raw = call.reply.raw;
    const includeUsage = call.body.stream_options?.include_usage === true;
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
    let last: Record<string, unknown> | null = null;
    try {
      for (;;) {
        if (isCancelled() || raw.destroyed) {
          this.bus.emit(Subjects.adapterCancel, { requestId: call.requestId, reason: 'client_disconnected' }, call.requestId);
          return;
        }
        if (frame.type === 'chunk') {
          last = frame.data;
          raw.write(sseData(includeUsage ? { ...frame.data, usage: null } : frame.data));
        } else if (frame.type === 'end') {
          if (includeUsage) raw.write(sseData(usageChunk(last, call.body.model, frame.usage)));
          // SSE comments are ignored by clients that do not look for them; headers are long gone by now.
          if (frame.usage) raw.write(`: ${Headers.cost}=${nanoToUsd(costNano(frame.usage, price))}\n\n`);
          raw.write(SSE_DONE);
          return;
        } else {
          // Bytes already went out: the status is 200, so the failure travels as an OpenAI error event.
          raw.write(sseData({ error: TfError.fromWire(frame.error).toBody() }));
          return;
        }
        frame = await s.inbox.next(idleWait(s.attempt, call.deadlineAt));
      }
    } catch (err) {
      const e = TfError.from(err);
      this.bus.emit(Subjects.adapterCancel, { requestId: call.requestId, reason: 'deadline' }, call.requestId);
      if (!raw.destroyed) raw.write(sseData({ error: e.toBody() }));
    } finally {
      if (!raw.destroyed) raw.end();
    }
  }

  private async assemble(call: ChatCall, s: OpenedStream, headers: Record<string, string>, price: PriceQuote): Promise<void> {
    const assembler = new CompletionAssembler();
    let frame: StreamFrame = s.first;
    for (;;) {
      if (frame.type === 'chunk') assembler.add(frame.data);
      else if (frame.type === 'end') break;
      else throw TfError.fromWire(frame.error);
      try {
        frame = await s.inbox.next(idleWait(s.attempt, call.deadlineAt));
      } catch (err) {
        this.bus.emit(Subjects.adapterCancel, { requestId: call.requestId, reason: 'deadline' }, call.requestId);
        throw err;
      }
    }
    const completion = assembler.result(frame.usage);
    if (!completion.id) completion.id = `chatcmpl-${call.requestId}`;
    completion.model = String(completion.model || s.attempt.upstreamModel);
    if (frame.usage) headers[Headers.cost] = nanoToUsd(costNano(frame.usage, price));
    call.reply.status(200).headers(headers).send(completion);
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

/** OpenAI's final usage chunk: same id/created/model as the stream, `choices: []`. */
function usageChunk(last: Record<string, unknown> | null, fallbackModel: string, usage: TokenUsage | null) {
  return {
    id: last?.id ?? '',
    object: 'chat.completion.chunk',
    created: last?.created ?? Math.floor(Date.now() / 1000),
    model: last?.model ?? fallbackModel,
    system_fingerprint: last?.system_fingerprint ?? null,
    choices: [],
    usage,
  };
}
