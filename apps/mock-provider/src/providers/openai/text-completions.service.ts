import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CompletionPlannerService, newId } from '../../completion/completion-planner.service';
import { textInputs } from '../../completion/text-inputs';
import { FailureScriptService } from '../../directives/failure-script.service';
import { abandon, generationMs, holdUntilGone, sendPlain, streamScript, waitOrFail } from '../../directives/directive-playback';
import { MOCK_PROVIDER_OPTIONS, type MockProviderOptions } from '../../mock-provider.options';
import { clientGoneSignal } from '../../stream/client-signal';
import { StreamWriterService } from '../../stream/stream-writer.service';
import { validatedFor } from '../error-dialect';
import { openAiSse } from './openai-chat.flavor';
import { OPENAI_ERRORS } from './openai.dialect';
import { LEGACY_DEFAULT_MAX_TOKENS, parseTextCompletionRequest, stopSequences } from './text-completion-request';
import { buildTextCompletion, type TextCompletion, textCompletionFrames } from './text-completion.format';

const SSE = openAiSse(OPENAI_ERRORS);

/** OpenAI's legacy `/v1/completions`: a prompt (or several) continued with the same words and pacing as chat. */
@Injectable()
export class TextCompletionsService {
  constructor(
    private readonly scripts: FailureScriptService,
    private readonly planner: CompletionPlannerService,
    private readonly writer: StreamWriterService,
    @Inject(MOCK_PROVIDER_OPTIONS) private readonly options: MockProviderOptions,
  ) {}

  async respond(body: unknown, reply: FastifyReply): Promise<void> {
    const request = validatedFor(OPENAI_ERRORS, () => parseTextCompletionRequest(body));
    const { base, directives } = this.scripts.scriptFor(request.model, reply.request.headers);
    const clientGone = clientGoneSignal(reply.raw);
    if (directives.fail === 'timeout') return holdUntilGone(reply, clientGone);
    if (!(await waitOrFail(directives.ttftMs ?? this.options.ttftMs, directives, OPENAI_ERRORS, clientGone))) return abandon(reply);

    const plans = textInputs(request.prompt).map((prompt) =>
      this.planner.planFrom(
        {
          seedText: prompt.seed,
          promptTokens: prompt.tokens,
          n: request.n ?? 1,
          maxTokens: request.max_tokens ?? LEGACY_DEFAULT_MAX_TOKENS,
          tools: [],
          reasoning: false,
          stopSequences: stopSequences(request.stop),
        },
        base,
        directives,
      ),
    );
    const completion: TextCompletion = { id: newId('cmpl-'), created: plans[0].created, model: base, plans };
    const includeUsage = !directives.suppressUsage;
    const tps = directives.tps ?? this.options.tps;
    if (request.stream) {
      const frames = textCompletionFrames(completion, includeUsage && request.stream_options?.include_usage === true);
      return this.writer.write(reply, frames, SSE, streamScript(directives, tps), clientGone);
    }

    const tokens = plans.reduce((sum, plan) => sum + plan.usage.completion_tokens, 0);
    const waitMs = generationMs(tokens, tps);
    return sendPlain(reply, directives, waitMs, OPENAI_ERRORS, () => buildTextCompletion(completion, includeUsage), clientGone);
  }
}
