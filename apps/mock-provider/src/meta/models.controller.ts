import { Controller, Get, Headers } from '@nestjs/common';
import { assertApiKey } from '../http/api-key';

/** Upstream names of the launch models, so a channel pointed at the mock can be checked like a real one. */
export const MOCK_MODELS = [
  'gpt-4o',
  'gpt-4o-mini',
  'deepseek-chat',
  'deepseek-reasoner',
  'kimi-k2-0905-preview',
  'qwen-max',
  'glm-4-plus',
] as const;

const CREATED = 1_700_000_000;

@Controller()
export class ModelsController {
  @Get(['models', 'v1/models', 'openai/v1/models'])
  list(@Headers('authorization') authorization: string | undefined) {
    assertApiKey(authorization);
    return { object: 'list', data: MOCK_MODELS.map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'mock-provider' })) };
  }
}
