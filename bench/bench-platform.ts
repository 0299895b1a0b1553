import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, testUrls } from '@tokenflow/testing';
import { APPS, ProcessGroup, seed } from '@tokenflow/tools';
import { benchDatabase } from './bench-database';

export interface BenchPlatform {
  gateway: string;
  mock: string;
  adminKey: string;
  key: string;
  accountId: string;
  stop(): Promise<void>;
}

/** The whole platform as `npm start` runs it (its own namespace and the bench database), seeded, with no key limit. */
export async function startBenchPlatform(name: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<BenchPlatform> {
  const root = resolve(__dirname, '..', '..');
  const db = await benchDatabase();
  const [port, mockPort] = await Promise.all([freePort(), freePort()]);
  const adminKey = 'bench-admin-key-0123456789';
  const env = {
    ...process.env,
    NATS_URL: testUrls.nats,
    REDIS_URL: testUrls.redis,
    DATABASE_URL: db,
    TF_NAMESPACE: `bench_${name}_${process.pid}`,
    PORT: String(port),
    HOST: '127.0.0.1',
    MOCK_PORT: String(mockPort),
    TOKENFLOW_ADMIN_KEY: adminKey,
    DEFAULT_KEY_RPM: '0',
    ...extraEnv,
  };
  const group = new ProcessGroup({ root, env, output: () => undefined });
  try {
    await Promise.all(APPS.map((app) => group.startAndWait(app)));
    const gateway = `http://127.0.0.1:${port}`;
    const mock = `http://127.0.0.1:${mockPort}`;
    const { key, accountId } = await seed({ ingressUrl: gateway, adminKey, mockUrl: mock, stateFile: join(mkdtempSync(join(tmpdir(), 'tf-bench-')), 'demo.json'), env });
    return { gateway, mock, adminKey, key, accountId, stop: () => group.stopAll() };
  } catch (err) {
    await group.stopAll();
    throw err;
  }
}
