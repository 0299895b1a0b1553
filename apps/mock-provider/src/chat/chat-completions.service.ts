import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CompletionPlannerService } from '../completion/completion-planner.service';
import { FailureScriptService } from '../directives/failure-script.service';
import { abandon, generationMs, holdUntilGone, sendPlain, streamScript, waitOrFail } from '../directives/directive-playback';
import { MOCK_PROVIDER_OPTIONS, type MockProviderOptions } from '../mock-provider.options';
import { validatedFor } from '../providers/error-dialect';
import { OPENAI_CHAT } from '../providers/openai/openai-chat.flavor';
import { clientGoneSignal } from '../stream/client-signal';
import { StreamWriterService } from '../stream/stream-writer.service';
import type { ChatFlavor } from './chat-flavor';
import { parseChatRequest } from './chat-request';

/** What a keep-alive provider sends before a delayed plain body: JSON parsers skip leading whitespace. */
const PLAIN_KEEP_ALIVE = '\n';

/**
 * Answers one Chat Completions request, playing out the directives in its model name. OpenAI and every provider
 * that copies its API go through here; the flavor says how that provider words errors and shapes its output.
 */
@Injectable()
export class ChatCompletionsService {
  constructor(
    private readonly scripts: FailureScriptService,
    private readonly planner: CompletionPlannerService,
    private readonly writer: StreamWriterService,
    @Inject(MOCK_PROVIDER_OPTIONS) private readonly options: MockProviderOptions,
  ) {}

  async respond(body: unknown, reply: FastifyReply, flavor: ChatFlavor = OPENAI_CHAT): Promise<void> {
    const request = validatedFor(flavor.errors, () => parseChatRequest(body));
    flavor.check?.(request);
    const { base, directives } = this.scripts.scriptFor(request.model, reply.request.headers);
    const clientGone = clientGoneSignal(reply.raw);
    if (directives.fail === 'timeout') return holdUntilGone(reply, clientGone);

    const ttftMs = directives.ttftMs ?? this.options.ttftMs;
    const tps = directives.tps ?? this.options.tps;
    // Keep-alives commit the 200 at once, so they are only for requests that will succeed.
    const keepsAlive = flavor.sse.keepAlive !== undefined && !directives.fail;
    if (!keepsAlive && !(await waitOrFail(ttftMs, directives, flavor.errors, clientGone))) return abandon(reply);

    const plan = this.planner.plan(request, base, directives, flavor.reasons?.(request, base));
    const render = { includeUsage: !directives.suppressUsage, usageRequested: request.stream_options?.include_usage === true };
    if (request.stream) {
      const script = { ...streamScript(directives, tps), leadInMs: keepsAlive ? ttftMs : 0 };
      return this.writer.write(reply, flavor.frames(plan, render), flavor.sse, script, clientGone);
    }

    // A plain response arrives only once the whole completion would have been generated at this pace.
    const waitMs = generationMs(plan.usage.completion_tokens, tps);
    if (keepsAlive) {
      return this.writer.writeJsonAfter(reply, JSON.stringify(flavor.completion(plan, render)), ttftMs + waitMs, PLAIN_KEEP_ALIVE, clientGone);
    }
    return sendPlain(reply, directives, waitMs, flavor.errors, () => flavor.completion(plan, render), clientGone);
  }
}
