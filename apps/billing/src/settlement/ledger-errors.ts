/**
 * Why a settlement call failed, from the error alone: a ledger that cannot be written right now (Postgres down or
 * unreachable, a timeout, a lock) says nothing about the events, which must simply wait; anything else may be the
 * event's own fault and ends, after a few deliveries, in `billing.parked_usage`.
 */

/** SQLSTATE classes that mean "not now": connection exception, insufficient resources, operator intervention
 * (57014 statement timeout, 57P01 admin shutdown, 57P03 cannot connect now), system error. */
const UNREACHABLE_CLASSES = new Set(['08', '53', '57', '58']);
/**
 * lock_not_available, object_in_use, and read_only_sql_transaction: connected to a primary being demoted or to a
 * standby during a failover, which no event can fix and which ends when the new primary takes over.
 */
const UNREACHABLE_CODES = new Set(['55P03', '55006', '25006']);
/** Serialization failure and deadlock: the transaction is retried, the ledger is fine. */
const RETRY_CODES = new Set(['40001', '40P01']);
/** Socket-level failures of the pg client (and of ioredis). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
/** What node-postgres and TypeORM say when the connection is gone or never came (they set no code). */
const UNREACHABLE_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /connection terminated/i,
  /query read timeout/i,
  /connection (is )?closed/i,
  /not currently accepting connections/i,
  /client has encountered a connection error/i,
  /cannot use a pool after calling end/i,
];

function codeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.code ?? e?.driverError?.code;
  return typeof code === 'string' ? code : undefined;
}

function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) out.push(e, (e as { driverError?: unknown }).driverError);
  if (err instanceof AggregateError) out.push(...err.errors);
  return out.filter(Boolean);
}

/** Postgres cannot be written right now (down, unreachable, timing out, locked): the ledger is unavailable. */
export function ledgerUnreachable(err: unknown): boolean {
  return causes(err).some((e) => {
    const code = codeOf(e);
    if (code && /^[0-9A-Z]{5}$/.test(code)) return UNREACHABLE_CLASSES.has(code.slice(0, 2)) || UNREACHABLE_CODES.has(code) || (code === '55000' && /accepting connections/i.test(String((e as Error).message)));
    if (code && NETWORK_CODES.has(code)) return true;
    return UNREACHABLE_MESSAGES.some((re) => re.test(String((e as Error)?.message ?? '')));
  });
}

/** Redis (the balance cache settlement updates after the commit) did not answer. */
function cacheUnavailable(err: unknown): boolean {
  return causes(err).some((e) => (e as Error)?.name === 'MaxRetriesPerRequestError' || /Connection is closed|Stream isn't writeable/i.test(String((e as Error)?.message ?? '')));
}

/** Retry the whole batch later, never park it: the cause is the infrastructure, not the events. */
export function transientSettlementFailure(err: unknown): boolean {
  return ledgerUnreachable(err) || cacheUnavailable(err) || causes(err).some((e) => RETRY_CODES.has(codeOf(e) ?? ''));
}

/**
 * SQLSTATE classes 22 (data exception) and 23 (integrity constraint): the statement will fail the same way every
 * time until someone changes the data, so the event is parked at once instead of blocking a retry loop.
 */
export function poisonSettlementFailure(err: unknown): boolean {
  if (transientSettlementFailure(err)) return false;
  return causes(err).some((e) => /^2[23][0-9A-Z]{3}$/.test(codeOf(e) ?? ''));
}

/** One line for the parked row: the SQLSTATE when there is one, then the message (never a stack). */
export function failureReason(err: unknown): string {
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return (code ? `${code}: ${message}` : message).slice(0, 1_000);
}
