import { OpenAiBaseProvider } from '../openai-base/openai-base.provider';

export const QwenProvider = new OpenAiBaseProvider({ id: 'qwen' });
