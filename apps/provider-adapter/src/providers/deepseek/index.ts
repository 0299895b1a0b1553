import { OpenAiBaseProvider } from '../openai-base/openai-base.provider';

export const DeepseekProvider = new OpenAiBaseProvider({ id: 'deepseek' });
