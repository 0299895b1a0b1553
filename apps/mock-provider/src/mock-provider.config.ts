import { env, z } from '@tokenflow/config';

export const mockProviderEnvSchema = z.object({
  LOG_LEVEL: env.logLevel(),
  MOCK_PORT: env.int(4010, 0, 65535),
  MOCK_HOST: z.string().min(1).default('127.0.0.1'),
  MOCK_TTFT_MS: env.int(0),
  /** Tokens per second; 0 means as fast as possible. */
  MOCK_TPS: env.int(0),
  /** Seed of the `fail-rate=` draws: the same seed fails the same requests of a script on every run. */
  MOCK_SEED: env.int(1),
});

export type MockProviderConfig = z.infer<typeof mockProviderEnvSchema>;

/** The mock's defaults, for the apps and tests that start it in process (declared once, above). */
export const MOCK_DEFAULTS: MockProviderConfig = mockProviderEnvSchema.parse({});
