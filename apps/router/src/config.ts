import { baseEnvSchema, databaseEnvSchema, env, z } from '@tokenflow/config';

export const routerEnvSchema = baseEnvSchema.extend(databaseEnvSchema.shape).extend({
  /** What `model: "auto"` resolves to until the classifier lands. */
  AUTO_DEFAULT_MODEL: z.string().min(1).default('deepseek-v3'),
  /** How long a channel key the upstream refused (credentials, credit) goes to the back of every plan. */
  KEY_BENCH_MS: env.int(5 * 60_000, 0),
  /** How many of a channel's healthy keys one plan may try, in rotation order, before moving to the next channel. */
  PLAN_KEYS_PER_CHANNEL: env.int(3, 1, 32),
});
export type RouterConfig = ReturnType<typeof routerEnvSchema.parse>;
export const ROUTER_CONFIG = Symbol('ROUTER_CONFIG');
