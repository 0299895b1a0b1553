import { OpenAiBaseProvider } from '../openai-base/openai-base.provider';

export const MoonshotProvider = new OpenAiBaseProvider({ id: 'moonshot' });
