import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { CompletionPlan } from '../completion/completion-plan';
import { CompletionPlannerService } from '../completion/completion-planner.service';
import { buildChunkSequence, buildCompletion, MALFORMED_JSON } from '../completion/response-format';
import { DirectiveParserService, type Directives } from '../directives/directive-parser.service';
import { OpenAiError } from '../http/openai-error';
import { MOCK_PROVIDER_OPTIONS, type MockProviderOptions } from '../mock-provider.options';
import { clientGoneSignal, pause, untilAborted } from '../stream/client-signal';
import { type StreamScript, StreamWriterService } from '../stream/stream-writer.service';
import { parseChatRequest } from './chat-request';

/** Answers one chat completion request, playing out the directives in its model name. */
@Injectable()
export class ChatCompletionsService {
  constructor(
    private readonly directives: DirectiveParserService,
    private readonly planner: CompletionPlannerService,
    private readonly writer: StreamWriterService,
    @Inject(MOCK_PROVIDER_OPTIONS) private readonly options: MockProviderOptions,
  ) {}

  async respond(body: unknown, reply: FastifyReply): Promise<void> {
    const request = parseChatRequest(body);
    const { base, directives } = this.directives.parse(request.model);
    const clientGone = clientGoneSignal(reply.raw);

    if (directives.fail === 'timeout') {
      reply.hijack();
      return untilAborted(clientGone);
    }
    if (!(await pause(directives.ttftMs ?? this.options.ttftMs, clientGone))) return abandon(reply);
    throwScriptedError(directives);

    const plan = this.planner.plan(request, base, directives);
    const tps = directives.tps ?? this.options.tps;
    const includeUsage = !directives.suppressUsage;
    if (request.stream) {
      const chunks = buildChunkSequence(plan, { includeUsage: includeUsage && request.stream_options?.include_usage === true });
      return this.writer.write(reply, chunks, streamScript(directives, tps), clientGone);
    }

    if (directives.fail === 'disconnect') {
      reply.hijack();
      reply.raw.destroy();
      return;
    }
    // A plain response arrives only once the whole completion would have been generated at this pace.
    if (!(await pause(generationMs(plan, tps), clientGone))) return abandon(reply);
    if (directives.fail === 'malformed') {
      return void reply.code(200).type('application/json').send(MALFORMED_JSON);
    }
    return void reply.code(200).send(buildCompletion(plan, { includeUsage }));
  }
}

/** The client left while we waited: there is no one to answer, so Fastify must not try to. */
function abandon(reply: FastifyReply): void {
  reply.hijack();
}

function throwScriptedError(directives: Directives): void {
  switch (directives.fail) {
    case '500':
      throw OpenAiError.serverError();
    case '429':
      throw OpenAiError.rateLimited(directives.retryAfterSeconds);
    case '400':
      throw OpenAiError.invalidRequest('Invalid request: rejected by the mock provider (fail=400).', null, 'invalid_value');
  }
}

function streamScript(directives: Directives, tps: number): StreamScript {
  const { fail, failAfter, stallAt, chunkDelayMs } = directives;
  const breaks = fail === 'disconnect' || fail === 'malformed';
  return { tps, stall: { at: stallAt, ms: chunkDelayMs }, fail: breaks ? { mode: fail, after: failAfter } : undefined };
}

function generationMs(plan: CompletionPlan, tps: number): number {
  return tps > 0 ? (plan.usage.completion_tokens / tps) * 1000 : 0;
}
