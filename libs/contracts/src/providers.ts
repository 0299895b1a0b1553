export const PROVIDERS = ['deepseek', 'moonshot', 'zhipu', 'qwen', 'openai', 'anthropic', 'openai-compatible'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** The model id that asks the router to choose. */
export const AUTO_MODEL = 'auto';
