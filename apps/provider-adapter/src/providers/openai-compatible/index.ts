import { OpenAiBaseProvider } from '../openai-base/openai-base.provider';

export const OpenaiCompatibleProvider = new OpenAiBaseProvider({ id: 'openai-compatible' });
