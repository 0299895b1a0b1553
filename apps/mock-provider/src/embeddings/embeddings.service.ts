import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { textInputs } from '../completion/text-inputs';
import { FailureScriptService } from '../directives/failure-script.service';
import { abandon, holdUntilGone, sendPlain, waitOrFail } from '../directives/directive-playback';
import { MOCK_PROVIDER_OPTIONS, type MockProviderOptions } from '../mock-provider.options';
import { validatedFor } from '../providers/error-dialect';
import { clientGoneSignal } from '../stream/client-signal';
import { embeddingVector, toBase64 } from './embedding-vector';
import type { EmbeddingsFlavor } from './embeddings-flavor';
import { parseEmbeddingsRequest } from './embeddings-request';

/** Answers one embeddings request with deterministic vectors, playing out the directives in its model name. */
@Injectable()
export class EmbeddingsService {
  constructor(
    private readonly scripts: FailureScriptService,
    @Inject(MOCK_PROVIDER_OPTIONS) private readonly options: MockProviderOptions,
  ) {}

  async respond(body: unknown, reply: FastifyReply, flavor: EmbeddingsFlavor): Promise<void> {
    const request = validatedFor(flavor.errors, () => parseEmbeddingsRequest(body));
    const inputs = textInputs(request.input);
    flavor.check(request, inputs);
    const { base, directives } = this.scripts.scriptFor(request.model, reply.request.headers);
    const clientGone = clientGoneSignal(reply.raw);
    if (directives.fail === 'timeout') return holdUntilGone(reply, clientGone);
    if (!(await waitOrFail(directives.ttftMs ?? this.options.ttftMs, directives, flavor.errors, clientGone))) return abandon(reply);
    const dimensions = request.dimensions ?? flavor.defaultDimensions(base);
    const vectors = inputs.map((input) => embeddingVector(input.seed, dimensions));
    const result = {
      model: base,
      embeddings: request.encoding_format === 'base64' ? vectors.map(toBase64) : vectors,
      promptTokens: inputs.reduce((sum, input) => sum + input.tokens, 0),
      includeUsage: !directives.suppressUsage,
    };
    return sendPlain(reply, directives, 0, flavor.errors, () => flavor.render(result), clientGone);
  }
}
