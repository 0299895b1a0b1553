import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { billingEnvSchema } from '../config';
import type { LedgerHealth } from './ledger-health';
import { SettlementService } from './settlement.service';

/** Only what settle() touches for an empty batch; the rest of its dependencies are never reached. */
function harness(appendBatch: () => Promise<number>, markDownMs: number) {
  const calls: string[] = [];
  const health = {
    outageStart: async () => null,
    markDown: async () => {
      await new Promise((r) => setTimeout(r, markDownMs));
      calls.push('markDown done');
    },
    markUp: async () => void calls.push('markUp'),
  } as unknown as LedgerHealth;
  const none = {} as never;
  const sut = new SettlementService(none, { appendBatch } as never, none, { snapshots: async () => [] } as never, none, health, none, billingEnvSchema.parse({ LOG_LEVEL: 'silent' }));
  return { sut, calls };
}

describe('SettlementService.settle and the ledger-down flag (review of issue 13, finding 2b)', () => {
  it('has the flag set before a batch failed by an unreachable ledger is handed back for retry', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const { sut, calls } = harness(() => Promise.reject(refused), 30);
    await assert.rejects(sut.settle([]), (e) => e === refused);
    calls.push('rejected');
    assert.deepEqual(calls, ['markDown done', 'rejected']);
  });

  it('does not flag the ledger for an event that breaks a constraint', async () => {
    const { sut, calls } = harness(() => Promise.reject(Object.assign(new Error('fk'), { code: '23503' })), 0);
    await assert.rejects(sut.settle([]));
    assert.deepEqual(calls, []);
  });
});
