import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { baseEnvSchema, ConfigError, databaseEnvSchema, env, parseEnv, redisEnvSchema } from './env';
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

describe('the README configuration table', () => {
  it('shows the defaults the shared schemas declare', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', '..', 'README.md'), 'utf8');
    const shared = baseEnvSchema.extend(databaseEnvSchema.shape).extend(redisEnvSchema.shape);
    const defaults = parseEnv(shared, {});
    for (const [name, value] of Object.entries(defaults)) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
      assert.ok(row, `${name} is documented`);
      const shown = row.split('|')[2].trim();
      assert.equal(shown, value === '' ? '(empty)' : `\`${value}\``, name);
    }
  });
});
