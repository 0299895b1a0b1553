import { Injectable } from '@nestjs/common';
import { AUTO_MODEL, type Endpoint, Headers, type KeyPrincipal, type PlanReply, rateLimitHeaders, TfError } from '@tokenflow/contracts';
import type { CallContext } from '@tokenflow/messaging';
import { type PromptCount, unsupportedContent } from '@tokenflow/openai';
import { AdmissionService } from './admission.service';
import { AttemptRunner, type OpenedStream } from './attempt-runner';
import { BodyCarrier } from './carried-body';
import { BusCompensations } from './bus-compensations';
import type { ClientChannel } from './client-channel';
import { RequestSaga } from './request-saga';
import { sizeRequest } from './request-size';
import type { ResponseFormat } from './response-format';
import { RouterClient } from './router.client';
import { present } from './stream-presenter';

export interface GatewayCall {
  endpoint: Endpoint;
  /** The validated OpenAI-shaped body for that endpoint (Anthropic requests arrive here translated). */
  body: Record<string, unknown> & { model: string };
  /** How the result is told in the called API's terms (OpenAI chat chunks, Anthropic events, one JSON body…). */
  format: ResponseFormat;
  principal: KeyPrincipal;
  /** The prompt's tokens, counted once per call (see `TokenCounter`). */
  prompt: PromptCount;
  /** The request body's size as received: a large one is encoded for the bus off the event loop. */
  bodyBytes: number;
  requestId: string;
  /** Correlation, trace and the call's deadline, which bounds every hop. */
  ctx: CallContext;
  client: ClientChannel;
}

/** How many larger models `auto` may try after inputs that did not fit. */
const MAX_CONTEXT_FALLBACKS = 2;

/**
 * The hot path, the same for every API: plan → admit (rate limits, then the hold for the request's maximum cost)
 * → attempts (channels in plan order until one answers) → present (relayed as SSE or folded into one body) →
 * usage (the adapter's event settles the hold). Every compensation along the way belongs to the call's saga.
 */
@Injectable()
export class GatewayService {
  constructor(
    private readonly router: RouterClient,
    private readonly admission: AdmissionService,
    private readonly carrier: BodyCarrier,
    private readonly attempts: AttemptRunner,
    private readonly compensations: BusCompensations,
  ) {}

  async complete(call: GatewayCall): Promise<void> {
    const { body, principal, ctx, client } = call;
    assertModelAllowed(principal, body.model);
    const saga = new RequestSaga(call.requestId, this.compensations.forCall(principal));
    const onLeave = () => saga.clientDisconnected();
    client.signal.addEventListener('abort', onLeave, { once: true });
    const tooLong: string[] = [];
    try {
      for (;;) {
        const requestId = saga.startRound();
        const plan = await this.router.plan(
          { requestId, model: body.model, allowedModels: principal.models, ...(tooLong.length ? { excludeModels: tooLong, minContextTokens: call.prompt.tokens } : {}) },
          ctx,
        );
        try {
          return await this.serve(call, plan, saga);
        } catch (err) {
          // `auto` chose the model, so it may choose a larger one when the input did not fit; a named model stays.
          if (!(isContextTooLong(err) && body.model === AUTO_MODEL && saga.round < MAX_CONTEXT_FALLBACKS && !client.started)) throw err;
          tooLong.push(plan.model);
        } finally {
          await saga.endRound();
        }
      }
    } finally {
      client.signal.removeEventListener('abort', onLeave);
      saga.endCall();
    }
  }

  /** One round on the plan's model: admit → attempts → present. */
  private async serve(call: GatewayCall, plan: PlanReply, saga: RequestSaga): Promise<void> {
    const { principal, ctx, client } = call;
    assertInputsFit(call, plan);
    const { size, upstreamBody } = sizeRequest(call.body, plan, call.endpoint, call.prompt);
    const hold = await this.admission.admit(principal, plan, size, saga, ctx);
    client.setHeaders(rateLimitHeaders(saga.admittedLimits!));
    // Served until the round is over: every attempt (a fallback channel, too) may fetch it.
    const carried = await this.carrier.carry(upstreamBody, call.bodyBytes);
    let stream: OpenedStream | undefined;
    try {
      const base = { requestId: saga.requestId, endpoint: call.endpoint, ...carried.fields, accountId: principal.accountId, keyId: principal.keyId, model: plan.model, price: hold.price, size };
      stream = await this.attempts.open(plan.attempts, base, ctx, client.signal, saga);
      await present({ stream, format: call.format, client, saga, ctx, price: hold.price, headers: servedBy(plan, stream) });
    } finally {
      stream?.frames.close();
      carried.close();
    }
  }
}

function assertModelAllowed(principal: KeyPrincipal, model: string): void {
  if (principal.models && model !== AUTO_MODEL && !principal.models.includes(model)) {
    throw new TfError('model_not_allowed', `This API key is not allowed to use the model '${model}'.`, { param: 'model' });
  }
}

/** A part the model cannot take (an image to a text-only model) is the caller's 400, before limits or money. */
function assertInputsFit(call: GatewayCall, plan: PlanReply): void {
  if (!plan.inputs || call.endpoint !== 'chat') return;
  const inputs = new Set(plan.inputs);
  const refused = unsupportedContent(call.body as { messages?: unknown }, { image: inputs.has('image'), audio: inputs.has('audio'), file: inputs.has('file') }, plan.model);
  if (refused) throw refused;
}

function isContextTooLong(err: unknown): boolean {
  return err instanceof TfError && err.code === 'context_length_exceeded';
}

/** Who served the answer. */
function servedBy(plan: PlanReply, stream: OpenedStream): Record<string, string> {
  const h: Record<string, string> = { [Headers.model]: plan.model, [Headers.provider]: stream.attempt.provider };
  if (plan.route !== 'direct') h[Headers.route] = `${plan.route}; model=${plan.model}`;
  return h;
}
