import { OpenAiBaseProvider } from '../openai-base/openai-base.provider';

export const OpenaiProvider = new OpenAiBaseProvider({ id: 'openai' });
