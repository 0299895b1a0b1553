import { Injectable } from '@nestjs/common';
import { AUTO_MODEL, type Endpoint, Headers, type KeyPrincipal, type PlanReply, type PlanRequest, rateLimitHeaders, type AutoSignal, type RoutePreferences, TfError } from '@tokenflow/contracts';
import type { CallContext } from '@tokenflow/messaging';
import { type PromptCount, unsupportedContent } from '@tokenflow/openai';
import { AdmissionService } from './admission.service';
import { AutoAdvisor } from './auto-advisor';
import { type AttemptBase, AttemptLog, AttemptRunner, type OpenedStream } from './attempt-runner';
import { BodyCarrier } from './carried-body';
import { BusCompensations } from './bus-compensations';
import type { ClientChannel } from './client-channel';
import { ShutdownDrain } from '../lifecycle/shutdown-drain';
import { RequestSaga } from './request-saga';
import { sizeRequest } from './request-size';
import type { ResponseFormat } from './response-format';
import { RouterClient } from './router.client';
import { present } from './stream-presenter';
import type { RequestTrail } from '../trail/request-trail';

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
  /** The request's own fallback chain (body `fallbacks`); it replaces the key's, which replaces the catalog's. */
  fallbacks?: string[];
  /** `auto`'s preferences (body `route`, latency header). */
  prefs?: RoutePreferences;
  /** What the request did, for its listeners once it is over (metrics, log line, trace, request log). */
  trail?: RequestTrail;
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
    private readonly advisor: AutoAdvisor,
    private readonly drain: ShutdownDrain,
  ) {}

  async complete(call: GatewayCall): Promise<void> {
    const { body, principal, ctx, client } = call;
    call.trail?.began(call.endpoint, body.model, call.format.streaming);
    assertModelAllowed(principal, body.model);
    // Held until the call is over: a shutdown waits for it, and cuts it (an error to the client) past its grace.
    const lease = this.drain.enter();
    // Past the shutdown's cut: nothing is planned, held or started, the client hears why at once.
    if (lease.cut.aborted) throw lease.cut.reason;
    const saga = new RequestSaga(call.requestId, this.compensations.forCall(principal));
    const onLeave = () => saga.clientDisconnected();
    client.signal.addEventListener('abort', onLeave, { once: true });
    const log = new AttemptLog();
    const tooLong: string[] = [];
    // The models left to fall back to, from the first plan; null until it is known.
    let chain: string[] | null = null;
    let model = body.model;
    // `auto` is classified once per call (chat only: the classifier reads a conversation).
    const signal = body.model === AUTO_MODEL && call.endpoint === 'chat' ? this.advisor.signal(body, call.prompt.tokens, call.prefs ?? {}) : undefined;
    // What ended the last round that moved on: the call's answer if no later model can even try.
    let moved: unknown = null;
    // `auto`'s decision as first explained, and the models tried since: a fallback's answer still says why.
    const route: AutoRoute = { explain: null, passed: [] };
    try {
      for (;;) {
        const requestId = saga.startRound();
        let planned: string | null = null;
        try {
          const plan = await this.router.plan(this.planRequest(call, requestId, model, chain, tooLong, log, signal), ctx);
          planned = plan.model;
          if (plan.route === 'auto' && signal) this.advisor.decided(plan, signal);
          if (plan.route === 'auto' && plan.explain) route.explain = plan.explain;
          // `auto`'s larger-context model has no chain of its own: nothing smaller to go back to.
          if (chain === null || plan.route === 'auto-context-fallback') chain = [...plan.fallbacks];
          return await this.serve(call, plan, saga, log, { mayWait: chain.length === 0, cut: lease.cut }, signal, route);
        } catch (err) {
          if (client.started) throw err;
          // Cut by the shutdown: no fallback round starts, the call ends with the shutdown's error.
          if (lease.cut.aborted) throw lease.cut.reason;
          if (planned && isContextTooLong(err) && model === AUTO_MODEL && saga.round < MAX_CONTEXT_FALLBACKS) {
            // `auto` chose the model, so it may choose a larger one when the input did not fit.
            tooLong.push(planned);
            continue;
          }
          // A fallback that cannot take the input (an image to a text-only model) is skipped, not the call's answer.
          const skipped = moved !== null && isInputRefusal(err);
          // Every key and channel of the model failed before the first byte: the chain's next model, its own hold and price.
          const next = chain?.length && (skipped || movesOn(err)) ? chain.shift() : undefined;
          if (!next) throw skipped ? moved : err;
          if (!skipped) moved = err;
          if (planned) route.passed.push(planned);
          model = next;
        } finally {
          await saga.endRound();
        }
      }
    } finally {
      if (call.trail) call.trail.attempts = log.count;
      client.signal.removeEventListener('abort', onLeave);
      saga.endCall();
      lease.release();
    }
  }

  private planRequest(call: GatewayCall, requestId: string, model: string, chain: string[] | null, tooLong: string[], log: AttemptLog, signal?: AutoSignal): PlanRequest {
    const req: PlanRequest = { requestId, model, endpoint: call.endpoint, allowedModels: call.principal.models };
    if (signal && model === AUTO_MODEL) req.auto = signal;
    if (call.prefs?.latencyTargetMs !== undefined) req.latencyTargetMs = call.prefs.latencyTargetMs;
    // The first plan resolves the chain (the request's, else the key's, else the catalog's); later ones walk it.
    if (chain === null) {
      const own = call.fallbacks ?? call.principal.fallbacks;
      if (own) req.fallbacks = own;
    } else req.fallbacks = [];
    if (tooLong.length) Object.assign(req, { excludeModels: tooLong, minContextTokens: call.prompt.tokens });
    if (log.failedKeys.size) req.avoidKeys = [...log.failedKeys];
    return req;
  }

  /** One round on the plan's model: admit → attempts → present. */
  private async serve(call: GatewayCall, plan: PlanReply, saga: RequestSaga, log: AttemptLog, { mayWait, cut }: { mayWait: boolean; cut: AbortSignal }, signal?: AutoSignal, route?: AutoRoute): Promise<void> {
    const { principal, ctx, client } = call;
    assertInputsFit(call, plan);
    const { size, upstreamBody } = sizeRequest(call.body, plan, call.endpoint, call.prompt);
    const hold = await this.admission.admit(principal, plan, size, saga, ctx);
    client.setHeaders(rateLimitHeaders(saga.admittedLimits!));
    // Served until the round is over: every attempt (a fallback channel, too) may fetch it.
    const carried = await this.carrier.carry(upstreamBody, call.bodyBytes);
    let stream: OpenedStream | undefined;
    try {
      const base: AttemptBase = { requestId: saga.requestId, endpoint: call.endpoint, ...carried.fields, accountId: principal.accountId, keyId: principal.keyId, model: plan.model, price: hold.price, size };
      // The ledger learns how long each model's answers are per category from this (what `auto` expects of a model).
      if (signal) base.category = signal.category;
      stream = await this.attempts.open(plan.attempts, base, ctx, client.signal, saga, { mayWait, log, cut });
      const headers = servedBy(call.body.model, plan, stream, log, route);
      call.trail?.served(plan.model, stream.attempt, headers[Headers.route] ?? null, signal?.category ?? null);
      await present({ stream, format: call.format, client, saga, ctx, price: hold.price, headers, cut, trail: call.trail });
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
  if (refused) {
    inputRefusals.add(refused);
    throw refused;
  }
}

/** Refusals by `assertInputsFit`: the model cannot take a part of the input, though another model may. */
const inputRefusals = new WeakSet<object>();
function isInputRefusal(err: unknown): boolean {
  return typeof err === 'object' && err !== null && inputRefusals.has(err);
}

function isContextTooLong(err: unknown): boolean {
  return err instanceof TfError && err.code === 'context_length_exceeded';
}

/**
 * What moves a call to its next fallback model: a failure no other key or channel of this model could fix — every
 * attempt failed retryably, the input is too long for this model, or the model has no channel or price right now.
 */
const MOVES_ON = new Set(['context_length_exceeded', 'no_available_channel', 'model_not_priced']);
function movesOn(err: unknown): boolean {
  return err instanceof TfError && (err.retryable || MOVES_ON.has(err.code));
}

/** `auto`'s explained decision (the first plan's) and the models of its ranking that failed since, in order. */
interface AutoRoute {
  explain: string | null;
  passed: string[];
}

/** Who served the answer, and how many upstream attempts it took. */
function servedBy(asked: string, plan: PlanReply, stream: OpenedStream, log: AttemptLog, route?: AutoRoute): Record<string, string> {
  const h: Record<string, string> = { [Headers.model]: plan.model, [Headers.provider]: stream.attempt.provider, [Headers.attempts]: String(log.count) };
  if (plan.route === 'auto' && plan.explain) h[Headers.route] = plan.explain;
  else if (route?.explain && route.passed.length) h[Headers.route] = `${route.explain};served=${plan.model};after=${route.passed.join(',')}`;
  else if (plan.model !== asked && plan.route !== 'auto' && plan.route !== 'auto-default' && plan.route !== 'auto-context-fallback') h[Headers.route] = `fallback; model=${plan.model}; from=${asked}`;
  else if (plan.route !== 'direct') h[Headers.route] = `${plan.route}; model=${plan.model}`;
  return h;
}
