import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { env, loadServiceConfig, z } from '@tokenflow/config';
import { waitForHttp } from './process-group';
import { seed, type SeedResult } from './seed';

const root = resolve(__dirname, '..', '..', '..');
const httpUrl = (fallback: string) => env.url(['http', 'https'], fallback);

/**
 * `node dist/tools/start/seed-cli.js` (the image's `seed` command): the demo seed of `npm start` — account, key,
 * a channel per launch provider, on the mock provider unless that provider's key is set — against a platform that
 * is already running (docker compose's `seed` service, the Kubernetes dev overlay's Job). Prints the key.
 */
export const seedCliEnvSchema = z.object({
  /** Where the seed reaches ingress's admin API. */
  INGRESS_URL: httpUrl('http://127.0.0.1:3000'),
  /** Where callers reach ingress, for the printed curl line (compose: the host's port); default INGRESS_URL. */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  TOKENFLOW_ADMIN_KEY: z.string().min(16, 'must be at least 16 characters (the admin key ingress was started with)'),
  /** Where the provider adapter reaches the mock provider: the mock channels' base URL. */
  MOCK_URL: httpUrl('http://127.0.0.1:4010'),
  /** The demo account id and key between runs (the key cannot be read back): a volume, so reruns reuse them. */
  TOKENFLOW_SEED_STATE: z.string().default(join(root, '.tokenflow', 'demo.json')),
  /** How long to wait for ingress and the services behind its admin API before giving up. */
  SEED_TIMEOUT_MS: env.int(180_000, 1_000),
});

async function main(): Promise<void> {
  const config = loadServiceConfig('seed', seedCliEnvSchema);
  const deadline = Date.now() + config.SEED_TIMEOUT_MS;
  await waitForHttp(`${config.INGRESS_URL}/readyz`, config.SEED_TIMEOUT_MS);
  // Ingress is ready once NATS is; router and billing, which answer the admin calls, may still be starting.
  let result: SeedResult | undefined;
  while (!result) {
    try {
      result = await seed({
        ingressUrl: config.INGRESS_URL,
        adminKey: config.TOKENFLOW_ADMIN_KEY,
        mockUrl: config.MOCK_URL,
        stateFile: config.TOKENFLOW_SEED_STATE,
        env: process.env,
      });
    } catch (err) {
      if (Date.now() > deadline) throw err;
      console.error(`seed: ${(err as Error).message}; retrying`);
      await sleep(2_000);
    }
  }
  const baseUrl = config.PUBLIC_URL ?? config.INGRESS_URL;
  const real = result.channels.filter((c) => c.real).map((c) => c.name);
  console.log(`
TokenFlow is seeded.

  Base URL   ${baseUrl}/v1
  API key    ${result.key}
  Upstreams  ${real.length ? `real: ${real.join(', ')}; others: mock provider` : 'mock provider (set DEEPSEEK_API_KEY etc. for real ones)'}

  curl ${baseUrl}/v1/chat/completions \\
    -H "Authorization: Bearer ${result.key}" -H "Content-Type: application/json" \\
    -d '{"model":"deepseek-v3","messages":[{"role":"user","content":"Hello!"}]}'
`);
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`seed failed: ${err.message}\n`);
    process.exit(1);
  });
}
