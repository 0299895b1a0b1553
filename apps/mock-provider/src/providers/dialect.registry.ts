import { ANTHROPIC_ERRORS } from './anthropic/anthropic.dialect';
import { DEEPSEEK_ERRORS } from './deepseek/deepseek.dialect';
import type { ErrorDialect } from './error-dialect';
import { MOONSHOT_ERRORS } from './moonshot/moonshot.dialect';
import { OPENAI_ERRORS } from './openai/openai.dialect';
import { QWEN_ERRORS } from './qwen/qwen.dialect';
import { ZHIPU_ERRORS } from './zhipu/zhipu.dialect';

const DIALECTS: readonly ErrorDialect[] = [OPENAI_ERRORS, DEEPSEEK_ERRORS, MOONSHOT_ERRORS, QWEN_ERRORS, ZHIPU_ERRORS, ANTHROPIC_ERRORS];

/** The error format of the provider whose prefix the path starts with; OpenAI's for the bare `/v1/…` paths. */
export function dialectFor(url: string): ErrorDialect {
  const path = url.split('?')[0];
  return DIALECTS.find((d) => path === d.prefix || path.startsWith(`${d.prefix}/`)) ?? OPENAI_ERRORS;
}
