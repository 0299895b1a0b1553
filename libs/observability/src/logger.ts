import { Logger as NestLogger, type LoggerService, type LogLevel as NestLogLevel } from '@nestjs/common';
import { env, type LogLevel } from '@tokenflow/config';
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

const logLevelSchema = env.logLevel();

/**
 * The level of every logger created without one. Until the service has validated its config it is LOG_LEVEL when
 * valid, else the schema's default (an invalid value is then reported by the config check, not by pino throwing at
 * import); `setLogLevel` makes it the validated value.
 */
let processLevel: LogLevel = logLevelSchema.safeParse(process.env.LOG_LEVEL).data ?? logLevelSchema.parse(undefined);
/** Loggers that follow `processLevel`, held weakly: most are created (as class fields) before the config is applied. */
const following = new Set<WeakRef<Logger>>();
const forget = new FinalizationRegistry<WeakRef<Logger>>((ref) => following.delete(ref));

/**
 * Applies a service's validated LOG_LEVEL to every logger of the process that was not given its own level, and
 * routes Nest's own logger (framework messages, unhandled handler errors) through one of them (`NestLogBridge`), so
 * those lines are JSON and follow the level too. Every service calls it before creating its Nest application.
 */
export function setLogLevel(level: LogLevel): void {
  processLevel = level;
  for (const ref of following) {
    const logger = ref.deref();
    if (logger) logger.level = level;
  }
  nestBridge ??= new NestLogBridge(createLogger('nest'));
  NestLogger.overrideLogger(nestBridge);
}

/**
 * Fields of an error that may echo the data a failed query carried. TypeORM's `QueryFailedError` holds the bound
 * `parameters` and the `driverError`, and copies the driver error's own fields onto itself: Postgres puts the
 * failing row in `detail` ("Failing row contains (…)") and may quote bound values in `where` ("portal parameter
 * $4 = '…'"). A channel row carries its upstream keys, so none of these may reach a log line.
 */
const ROW_ECHOING_FIELDS = new Set(['parameters', 'driverError', 'detail', 'where', 'internalQuery']);
const MAX_DEPTH = 8;

/** A copy of a serialized error (or any logged value) without the fields above, at any depth (causes, aggregates). */
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (ROW_ECHOING_FIELDS.has(k)) continue;
    // A driver's query object (`{ text, values }`) keeps its SQL, not its bound values.
    if (k === 'query' && typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const { values: _values, ...sql } = v as Record<string, unknown>;
      out[k] = scrub(sql, depth + 1);
      continue;
    }
    out[k] = scrub(v, depth + 1);
  }
  return out;
}

/** pino's error serializer (type, message, stack, own fields), minus anything that may echo a query's data. */
export function serializeError(err: unknown): unknown {
  return scrub(pino.stdSerializers.err(err as Error));
}

/**
 * JSON logs with the service name on every line, at the service's LOG_LEVEL (see `setLogLevel`) unless `level` is
 * given. Redaction is a second line of defence: code never logs credentials, but a stray object with an
 * `apiKey`/`authorization` field is masked rather than leaked, and an error is logged without the query data it
 * may carry (`serializeError`).
 */
export function createLogger(service: string, level?: LogLevel, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name: service,
    level: level ?? processLevel,
    base: { service },
    serializers: { err: serializeError, error: serializeError },
    redact: {
      paths: [
        'apiKey',
        '*.apiKey',
        'api_keys',
        '*.api_keys',
        'apiKeys',
        '*.apiKeys',
        'authorization',
        '*.authorization',
        'headers.authorization',
        'key',
        '*.key',
        // A query's bound values and the driver's error, wherever an error-like object is logged without `err`.
        'parameters',
        '*.parameters',
        'driverError',
        '*.driverError',
      ],
      censor: '[redacted]',
    },
  };
  const logger = destination ? pino(options, destination) : pino(options);
  if (level === undefined) {
    const ref = new WeakRef(logger);
    following.add(ref);
    forget.register(logger, ref);
  }
  return logger;
}

/**
 * Logs at most once per `everyMs` (an outage would otherwise log once per request); the count of what it held
 * back rides on the next line.
 */
export function throttledLog(everyMs: number): (write: (suppressed: number) => void) => void {
  let last = 0;
  let suppressed = 0;
  return (write) => {
    const now = Date.now();
    if (now - last < everyMs) {
      suppressed++;
      return;
    }
    last = now;
    write(suppressed);
    suppressed = 0;
  };
}

let nestBridge: NestLogBridge | null = null;

const NEST_TO_PINO: Record<NestLogLevel, pino.Level> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/**
 * Nest's logger as pino lines. A line is written when both allow it: the pino logger's level (LOG_LEVEL) and the
 * levels the application asked Nest for (`NestFactory.create(…, { logger: ['error', 'warn'] })`, which Nest hands
 * to `setLogLevels`), so LOG_LEVEL=debug does not turn on Nest's boot chatter and LOG_LEVEL=error silences its
 * warnings.
 */
export class NestLogBridge implements LoggerService {
  private allowed: ReadonlySet<NestLogLevel> | null = null;

  constructor(private readonly pino: Logger) {}

  setLogLevels(levels: NestLogLevel[]): void {
    this.allowed = new Set(levels);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: NestLogLevel, message: unknown, params: unknown[]): void {
    if (this.allowed && !this.allowed.has(level)) return;
    const pinoLevel = NEST_TO_PINO[level];
    if (!this.pino.isLevelEnabled(pinoLevel)) return;
    // Nest appends the context (the class that logged) as the last string; `error` may put a stack before it.
    const rest = [...params];
    const context = rest.length && typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const stack = level === 'error' || level === 'fatal' ? rest.find((p): p is string => typeof p === 'string' && p.includes('\n    at ')) : undefined;
    const fields: Record<string, unknown> = { ...(context ? { context } : {}), ...(stack ? { stack } : {}) };
    if (message instanceof Error) this.pino[pinoLevel]({ ...fields, err: message }, message.message);
    else if (typeof message === 'string') this.pino[pinoLevel](fields, message);
    else this.pino[pinoLevel]({ ...fields, value: message }, 'nest');
  }
}
