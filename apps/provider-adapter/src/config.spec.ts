import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ConfigError, parseEnv } from '@tokenflow/config';
import { adapterEnvSchema } from './config';

describe('adapter config', () => {
  it('reports health every second and finds the retry queue on the local Redis by default', () => {
    const cfg = parseEnv(adapterEnvSchema, {});
    assert.equal(cfg.HEALTH_REPORT_MS, 1_000);
    assert.equal(cfg.REDIS_URL, 'redis://127.0.0.1:6379');
  });

  it('refuses a report interval under 50 ms and a Redis URL that is not one', () => {
    assert.equal(parseEnv(adapterEnvSchema, { HEALTH_REPORT_MS: '50' }).HEALTH_REPORT_MS, 50);
    assert.throws(() => parseEnv(adapterEnvSchema, { HEALTH_REPORT_MS: '49' }), (err: ConfigError) => err.problems.some((p) => p.startsWith('HEALTH_REPORT_MS')));
    assert.throws(() => parseEnv(adapterEnvSchema, { REDIS_URL: 'http://127.0.0.1:6379' }), (err: ConfigError) => err.problems.some((p) => p.startsWith('REDIS_URL')));
  });

  it('spools usage under the OS temp folder by default, and refuses a relative spool path', () => {
    const cfg = parseEnv(adapterEnvSchema, {});
    assert.ok(cfg.USAGE_SPOOL_DIR.startsWith('/') && cfg.USAGE_SPOOL_DIR.endsWith('usage-spool'));
    assert.equal(cfg.SHUTDOWN_GRACE_MS, 20_000);
    assert.throws(() => parseEnv(adapterEnvSchema, { USAGE_SPOOL_DIR: 'var/spool' }), (err: ConfigError) => err.problems.some((p) => p.startsWith('USAGE_SPOOL_DIR')));
  });
});
