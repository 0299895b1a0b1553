import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CompletionPlannerService } from '../../completion/completion-planner.service';
import { FailureScriptService } from '../../directives/failure-script.service';
import { abandon, generationMs, holdUntilGone, sendPlain, streamScript, waitOrFail } from '../../directives/directive-playback';
import { MOCK_PROVIDER_OPTIONS, type MockProviderOptions } from '../../mock-provider.options';
import { clientGoneSignal } from '../../stream/client-signal';
import { StreamWriterService } from '../../stream/stream-writer.service';
import { ANTHROPIC_ERRORS } from './anthropic.dialect';
import { ANTHROPIC_SSE, buildMessage, messageFrames } from './message.format';
import { countInputTokens, messagesPlanInput } from './messages-input';
import { parseCountTokensRequest, parseMessagesRequest } from './messages-request';

/** Anthropic's Messages API over the shared content, token counts and pacing; directives play out as for chat. */
@Injectable()
export class MessagesService {
  constructor(
    private readonly scripts: FailureScriptService,
    private readonly planner: CompletionPlannerService,
    private readonly writer: StreamWriterService,
    @Inject(MOCK_PROVIDER_OPTIONS) private readonly options: MockProviderOptions,
  ) {}

  async create(body: unknown, reply: FastifyReply): Promise<void> {
    const request = parseMessagesRequest(body);
    const { base, directives } = this.scripts.scriptFor(request.model, reply.request.headers);
    const clientGone = clientGoneSignal(reply.raw);
    if (directives.fail === 'timeout') return holdUntilGone(reply, clientGone);
    if (!(await waitOrFail(directives.ttftMs ?? this.options.ttftMs, directives, ANTHROPIC_ERRORS, clientGone))) return abandon(reply);

    const plan = this.planner.planFrom(messagesPlanInput(request), base, directives);
    const includeUsage = !directives.suppressUsage;
    const tps = directives.tps ?? this.options.tps;
    if (request.stream) {
      return this.writer.write(reply, messageFrames(plan, includeUsage), ANTHROPIC_SSE, streamScript(directives, tps), clientGone);
    }
    const waitMs = generationMs(plan.usage.completion_tokens, tps);
    return sendPlain(reply, directives, waitMs, ANTHROPIC_ERRORS, () => buildMessage(plan, includeUsage), clientGone);
  }

  /** `/v1/messages/count_tokens`: the input tokens a `create` with the same body would report. */
  async countTokens(body: unknown, reply: FastifyReply): Promise<void> {
    const request = parseCountTokensRequest(body);
    const { directives } = this.scripts.scriptFor(request.model, reply.request.headers);
    const clientGone = clientGoneSignal(reply.raw);
    if (directives.fail === 'timeout') return holdUntilGone(reply, clientGone);
    if (!(await waitOrFail(directives.ttftMs ?? this.options.ttftMs, directives, ANTHROPIC_ERRORS, clientGone))) return abandon(reply);
    return sendPlain(reply, directives, 0, ANTHROPIC_ERRORS, () => ({ input_tokens: countInputTokens(request) }), clientGone);
  }
}
