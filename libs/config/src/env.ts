import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates `env` against `schema`. Every bad variable becomes one line naming it and what is wrong, so an
 * operator fixes all of them in one go instead of one per restart.
 */
export function parseEnv<T extends z.ZodObject>(schema: T, env: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(env)';
    const value = env[name];
    const shown = value === undefined ? 'unset' : `got "${redact(name, value)}"`;
    return `${name}: ${issue.message} (${shown})`;
  });
  throw new ConfigError(problems);
}

function redact(name: string, value: string): string {
  return /KEY|SECRET|PASSWORD|TOKEN/i.test(name) ? '***' : value;
}

/** The default `schema` declares for `name`, for code that runs outside a service's validated config (CLIs). */
export function defaultOf<T extends z.ZodObject>(schema: T, name: keyof z.infer<T> & string): unknown {
  return schema.shape[name].parse(undefined);
}

/** Loads config for a service entry point; on error prints one line per problem and exits 1 (no stack trace). */
export function loadServiceConfig<T extends z.ZodObject>(service: string, schema: T): z.infer<T> {
  try {
    return parseEnv(schema);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`[${service}] ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Shared building blocks so every service spells the same variable the same way. */
export const env = {
  url: (protocols: string[], fallback: string) =>
    z
      .string()
      .default(fallback)
      .refine((v) => {
        try {
          return protocols.includes(new URL(v).protocol.replace(':', ''));
        } catch {
          return false;
        }
      }, `must be a ${protocols.join('/')} URL`),
  int: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
    z.coerce.number().int().min(min).max(max).default(fallback),
  bool: (fallback: boolean) => bool.default(fallback),
  /** pino's levels; libs/observability applies the validated value to every logger of the service. */
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Prefix for every NATS subject and stream: lets tests and several environments share one NATS server. */
  namespace: () =>
    z
      .string()
      .regex(/^[a-z0-9_-]*$/i, 'letters, digits, - and _ only')
      .default(''),
};

export type LogLevel = z.infer<ReturnType<typeof env.logLevel>>;

/**
 * Connection settings every service has. Each default below (and in the other shared schemas) is declared only
 * here: launchers, tests and tools parse these schemas instead of repeating a value.
 */
export const baseEnvSchema = z.object({
  NATS_URL: env.url(['nats', 'tls'], 'nats://127.0.0.1:4222'),
  TF_NAMESPACE: env.namespace(),
  LOG_LEVEL: env.logLevel(),
});
export type BaseEnv = z.infer<typeof baseEnvSchema>;

export const databaseEnvSchema = z.object({
  DATABASE_URL: env.url(['postgres', 'postgresql'], 'postgres://postgres@127.0.0.1:5432/tokenflow'),
  DB_POOL_SIZE: env.int(10, 1, 200),
  /** Longest wait for a new connection: an unreachable Postgres fails a call in this time instead of hanging it. */
  DB_CONNECT_TIMEOUT_MS: env.int(5_000, 100, 120_000),
  /**
   * Server-side limit on one statement (`statement_timeout`); the client gives up a little later (`query_timeout`)
   * when the server cannot even answer. Long enough for reports and `billing:verify`; settlement sets a shorter one.
   */
  DB_STATEMENT_TIMEOUT_MS: env.int(30_000, 100, 3_600_000),
  /** A session idle inside a transaction this long is ended by the server, so a stuck client cannot hold locks. */
  DB_IDLE_IN_TX_TIMEOUT_MS: env.int(60_000, 100, 3_600_000),
});

export const redisEnvSchema = z.object({
  REDIS_URL: env.url(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
});
