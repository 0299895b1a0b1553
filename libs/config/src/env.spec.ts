import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { baseEnvSchema, ConfigError, env, parseEnv } from './env';
import { z } from 'zod';

describe('parseEnv', () => {
  it('applies defaults', () => {
    const cfg = parseEnv(baseEnvSchema, {});
    assert.equal(cfg.NATS_URL, 'nats://127.0.0.1:4222');
    assert.equal(cfg.TF_NAMESPACE, '');
  });
  it('reports one line per bad variable and redacts secrets', () => {
    const schema = baseEnvSchema.extend({ PORT: env.int(3000, 1, 65535), ADMIN_KEY: z.string().min(16) });
    try {
      parseEnv(schema, { NATS_URL: 'http://x', PORT: 'abc', ADMIN_KEY: 'short' });
      assert.fail('should throw');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 3);
      assert.match(err.problems.find((p) => p.startsWith('NATS_URL'))!, /nats\/tls URL/);
      assert.match(err.problems.find((p) => p.startsWith('PORT'))!, /got "abc"/);
      assert.match(err.problems.find((p) => p.startsWith('ADMIN_KEY'))!, /\*\*\*/);
    }
  });
});
