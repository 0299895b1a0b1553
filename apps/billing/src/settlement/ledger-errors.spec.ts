import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { failureReason, ledgerUnreachable, poisonSettlementFailure, transientSettlementFailure } from './ledger-errors';

const pg = (code: string, message = 'x') => Object.assign(new Error(message), { code });
/** TypeORM wraps the driver's error and keeps it as `driverError`. */
const typeorm = (driverError: Error) => Object.assign(new Error(driverError.message), { name: 'QueryFailedError', driverError });

describe('ledgerUnreachable', () => {
  it('is true for a Postgres that is down, unreachable, timing out or locked', () => {
    for (const e of [
      pg('ECONNREFUSED'),
      pg('57P01', 'terminating connection due to administrator command'),
      pg('57P03', 'the database system is starting up'),
      typeorm(pg('57014', 'canceling statement due to statement timeout')),
      pg('08006'),
      pg('53300', 'too many connections'),
      pg('55P03'),
      pg('55000', 'database "x" is not currently accepting connections'),
      // A failover: the pool still points at the demoted primary or a standby (review of issue 13, finding 1).
      typeorm(pg('25006', 'cannot execute INSERT in a read-only transaction')),
      pg('25006', 'cannot execute INSERT in a read-only transaction'),
      pg('57P02', 'terminating connection because of crash of another server process'),
      pg('08001', 'could not connect to server'),
      pg('08003'),
      pg('53100', 'could not extend file: No space left on device'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Connection terminated unexpectedly'),
      new Error('Query read timeout'),
    ]) {
      assert.equal(ledgerUnreachable(e), true, String(e.message));
      assert.equal(transientSettlementFailure(e), true);
      assert.equal(poisonSettlementFailure(e), false);
    }
  });

  it('is false for an event that breaks the data (parked, not waited for)', () => {
    for (const e of [typeorm(pg('23503', 'violates foreign key constraint')), pg('22P02', 'invalid input syntax for type uuid'), new SyntaxError('Cannot convert x to a BigInt')]) {
      assert.equal(ledgerUnreachable(e), false);
      assert.equal(transientSettlementFailure(e), false);
    }
    assert.equal(poisonSettlementFailure(typeorm(pg('23503'))), true);
    assert.equal(poisonSettlementFailure(pg('22P02')), true);
    // Not certainly the event's fault: retried up to maxDeliver before it is parked.
    assert.equal(poisonSettlementFailure(new SyntaxError('Cannot convert x to a BigInt')), false);
  });

  it('retries deadlocks and serialization failures and a lost Redis without calling the ledger unavailable', () => {
    for (const e of [pg('40P01'), pg('40001'), Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' })]) {
      assert.equal(transientSettlementFailure(e), true);
      assert.equal(ledgerUnreachable(e), false);
    }
  });

  it('names the SQLSTATE and the message in one bounded line', () => {
    assert.equal(failureReason(typeorm(pg('23503', 'violates fk'))), '23503: violates fk');
    assert.equal(failureReason(pg('23503', 'violates fk')), '23503: violates fk');
    assert.equal(failureReason(new Error('y'.repeat(5_000))).length, 1_000);
  });
});
