import { baseEnvSchema, databaseEnvSchema, z } from '@tokenflow/config';

export const routerEnvSchema = baseEnvSchema.extend(databaseEnvSchema.shape).extend({
  /** What `model: "auto"` resolves to until the classifier lands. */
  AUTO_DEFAULT_MODEL: z.string().min(1).default('deepseek-v3'),
});
export type RouterConfig = ReturnType<typeof routerEnvSchema.parse>;
export const ROUTER_CONFIG = Symbol('ROUTER_CONFIG');
