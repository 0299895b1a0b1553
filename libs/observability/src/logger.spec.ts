import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';
import { Logger as NestLogger } from '@nestjs/common';
import { createLogger, NestLogBridge, serializeError, setLogLevel } from './logger';

const SECRET = 'sk-upstream-secret-in-a-row-0123456789';

/** A logger writing to memory: the lines exactly as they would reach stdout. `level` null = the service's level. */
function captured(level: Parameters<typeof createLogger>[1] | null = 'info'): { log: ReturnType<typeof createLogger>; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { log: createLogger('test', level ?? undefined, stream), lines: () => chunks.join('').split('\n').filter(Boolean) };
}

/**
 * What TypeORM throws when Postgres refuses an INSERT of a channel row (here a CHECK constraint): the bound
 * parameters, the driver error, and the driver's fields copied onto the error, `detail` quoting the whole row.
 */
function channelInsertFailure(): QueryFailedError {
  const driverError = new DatabaseError('new row for relation "channels" violates check constraint "channels_weight_check"', 300, 'error');
  Object.assign(driverError, {
    severity: 'ERROR',
    code: '23514',
    detail: `Failing row contains (6f1c…, primary, openai, https://api.openai.com/v1, {${SECRET}}, {gpt-4o}, {}, 0, 0, t).`,
    where: `unnamed portal parameter $4 = '{${SECRET}}'`,
    schema: 'routing',
    table: 'channels',
    constraint: 'channels_weight_check',
  });
  const query = 'INSERT INTO "routing"."channels"("name", "provider", "base_url", "api_keys", "models", "weight") VALUES ($1, $2, $3, $4, $5, $6)';
  return new QueryFailedError(query, ['primary', 'openai', 'https://api.openai.com/v1', [SECRET], ['gpt-4o'], 0], driverError);
}

describe('createLogger', () => {
  it('logs a database error that carries a channel row without the row (no upstream key in the line)', () => {
    const err = channelInsertFailure();
    assert.ok(JSON.stringify(err).includes(SECRET), 'the error itself does carry the key');
    const { log, lines } = captured();
    log.error({ err, subject: 'tf.router.channel-create.v1' }, 'handler failed');
    log.warn({ error: err }, 'under another name');
    log.info(err, 'as the first argument');
    // Wrapped in another error, as a cause.
    log.error({ err: new Error('save failed', { cause: err }) }, 'wrapped');
    const out = lines();
    assert.equal(out.length, 4);
    for (const line of out) assert.ok(!line.includes(SECRET), line);
    // What helps an operator stays: the kind of error, its message, code, constraint and the SQL text.
    const first = JSON.parse(out[0]) as { err: Record<string, unknown>; msg: string };
    assert.equal(first.msg, 'handler failed');
    assert.equal(first.err.type, 'QueryFailedError');
    assert.match(String(first.err.message), /channels_weight_check/);
    assert.equal(first.err.code, '23514');
    assert.equal(first.err.constraint, 'channels_weight_check');
    assert.match(String(first.err.query), /^INSERT INTO "routing"."channels"/);
    for (const field of ['parameters', 'driverError', 'detail', 'where']) assert.ok(!(field in first.err), field);
  });

  it('redacts keys and query data in plain objects too', () => {
    const { log, lines } = captured();
    log.info({ channel: { name: 'c', apiKeys: [SECRET] }, apiKey: SECRET, failed: { parameters: [SECRET], driverError: { detail: SECRET } } }, 'objects');
    log.info({ headers: { authorization: `Bearer ${SECRET}` } }, 'headers');
    for (const line of lines()) assert.ok(!line.includes(SECRET), line);
    assert.deepEqual((JSON.parse(lines()[0]) as { channel: unknown }).channel, { name: 'c', apiKeys: '[redacted]' });
  });

  it('serializes a driver query object without its bound values', () => {
    const err = Object.assign(new Error('boom'), { query: { text: 'SELECT $1', values: [SECRET] } });
    const out = serializeError(err) as { query: unknown; message: string };
    assert.deepEqual(out.query, { text: 'SELECT $1' });
    assert.equal(out.message, 'boom');
    assert.equal(serializeError('not an error'), 'not an error');
  });
});

describe('LOG_LEVEL', () => {
  it("applies the service's validated level to its loggers, those created before it too", () => {
    const early = captured(null);
    try {
      setLogLevel('warn');
      const late = captured(null);
      const own = captured('debug');
      for (const { log } of [early, late, own]) {
        log.debug('debug line');
        log.info('info line');
        log.warn('warn line');
      }
      const msgs = (c: { lines: () => string[] }) => c.lines().map((l) => (JSON.parse(l) as { msg: string }).msg);
      assert.deepEqual(msgs(early), ['warn line']);
      assert.deepEqual(msgs(late), ['warn line']);
      // A logger given its own level keeps it.
      assert.deepEqual(msgs(own), ['debug line', 'info line', 'warn line']);
      setLogLevel('silent');
      early.log.fatal('silenced');
      assert.deepEqual(msgs(early), ['warn line']);
    } finally {
      setLogLevel('info');
    }
  });
});

describe("Nest's logger", () => {
  it('is routed through pino once the level is set: JSON lines, LOG_LEVEL and the levels the app asked Nest for both apply', () => {
    const own = captured(null);
    const bridge = new NestLogBridge(own.log);
    try {
      setLogLevel('info');
      NestLogger.overrideLogger(bridge);
      // What NestFactory does with `logger: ['error', 'warn']`.
      NestLogger.overrideLogger(['error', 'warn']);
      const nest = new NestLogger('InstanceLoader');
      nest.log('boot chatter');
      nest.warn('a warning');
      nest.error('handler failed', 'Error: boom\n    at handler (x.js:1:1)');
      setLogLevel('error');
      // setLogLevel installs the process's own bridge; put the captured one back to read what it writes.
      NestLogger.overrideLogger(bridge);
      nest.warn('silenced by LOG_LEVEL=error');
      nest.error(new Error('still written'));
      const lines = own.lines().map((l) => JSON.parse(l) as { level: number; msg: string; context?: string; stack?: string; err?: unknown });
      assert.deepEqual(
        lines.map((l) => [l.level, l.msg, l.context]),
        [
          [40, 'a warning', 'InstanceLoader'],
          [50, 'handler failed', 'InstanceLoader'],
          [50, 'still written', 'InstanceLoader'],
        ],
      );
      assert.match(lines[1].stack ?? '', /at handler/);
      assert.ok(lines[2].err);
    } finally {
      setLogLevel('info');
    }
  });

  it('setLogLevel makes the bridge Nest\'s logger', () => {
    setLogLevel('info');
    assert.ok((NestLogger as unknown as { staticInstanceRef: unknown }).staticInstanceRef instanceof NestLogBridge);
  });
});
