import { OpenAiBaseProvider } from '../openai-base/openai-base.provider';

export const ZhipuProvider = new OpenAiBaseProvider({ id: 'zhipu' });
