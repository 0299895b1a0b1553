import { TfError } from '@tokenflow/contracts';
import { openAiCompatible } from '../openai-base/openai-base.provider';
import { type Body, jsonSchemaAsJsonObject, clamp, limitChoices, maxTokensAsLegacy } from '../openai-base/param-rules';

/**
 * Moonshot / Kimi (platform.moonshot.cn): OpenAI-compatible.
 * - temperature is [0, 1] (clamped); n at most 5, and only 1 when temperature < 0.3 (Moonshot's rule; refused here).
 * - tool_choice "required" is not supported: sent as "auto" (the model still sees the tools).
 * - max_completion_tokens becomes max_tokens.
 * - JSON mode is `json_object` only: a `json_schema` format is sent as that plus the schema as an instruction.
 * - Streams put usage inside the last choice (`choices[0].usage`); the shared decoder takes it from there.
 * - No embeddings; no legacy completions endpoint, so they go through chat (decision 0024).
 */
export const provider = openAiCompatible({
  id: 'moonshot',
  chatParams(body: Body) {
    maxTokensAsLegacy(body);
    clamp(body, 'temperature', 0, 1);
    limitChoices(body, 5, 'Moonshot');
    if (typeof body.n === 'number' && body.n > 1 && typeof body.temperature === 'number' && body.temperature < 0.3) {
      throw new TfError('invalid_request', 'Moonshot needs temperature >= 0.3 for n > 1.', { param: 'temperature' });
    }
    if (body.tool_choice === 'required') body.tool_choice = 'auto';
    jsonSchemaAsJsonObject(body);
  },
});
