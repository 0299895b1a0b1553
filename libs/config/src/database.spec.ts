import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { poolTimeouts, postgresOptions, postgresTimeouts } from './database';
import { ConfigError, databaseEnvSchema, parseEnv } from './env';

describe('Postgres timeouts', () => {
  it('gives every pool a connect, statement (server and client side) and idle-in-transaction limit by default', () => {
    const o = postgresOptions({ url: 'postgres://x@h/db', migrationsTableName: 'm', entities: [], migrations: [] });
    assert.equal(o.connectTimeoutMS, 5_000);
    assert.deepEqual(o.extra, { connectionTimeoutMillis: 5_000, idle_in_transaction_session_timeout: 60_000, statement_timeout: 30_000, query_timeout: 35_000 });
  });

  it("takes a service's validated values, and its pool size", () => {
    const c = parseEnv(databaseEnvSchema, { DB_CONNECT_TIMEOUT_MS: '1500', DB_STATEMENT_TIMEOUT_MS: '800', DB_IDLE_IN_TX_TIMEOUT_MS: '9000', DB_POOL_SIZE: '3' });
    const o = postgresOptions({ url: 'postgres://x@h/db', migrationsTableName: 'm', entities: [], migrations: [], poolSize: c.DB_POOL_SIZE, timeouts: postgresTimeouts(c) });
    assert.equal(o.connectTimeoutMS, 1_500);
    assert.deepEqual(o.extra, { connectionTimeoutMillis: 1_500, idle_in_transaction_session_timeout: 9_000, statement_timeout: 800, query_timeout: 5_800, max: 3 });
  });

  it('has no statement limit only where asked (migrations)', () => {
    assert.deepEqual(poolTimeouts({ connectMs: 1, statementMs: 0, idleInTransactionMs: 2 }), { connectionTimeoutMillis: 1, idle_in_transaction_session_timeout: 2 });
  });

  it('refuses a zero, negative or non-numeric timeout at boot, naming the variable', () => {
    assert.throws(() => parseEnv(databaseEnvSchema, { DB_STATEMENT_TIMEOUT_MS: '0' }), (e: unknown) => e instanceof ConfigError && /DB_STATEMENT_TIMEOUT_MS/.test(e.message));
    assert.throws(() => parseEnv(databaseEnvSchema, { DB_CONNECT_TIMEOUT_MS: 'soon' }), (e: unknown) => e instanceof ConfigError && /DB_CONNECT_TIMEOUT_MS/.test(e.message));
  });
});
