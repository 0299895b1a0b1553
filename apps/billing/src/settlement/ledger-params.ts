import type { HoldMovement } from './ledger.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The column arrays of a batch of hold or release movements (request, account, key, model, amount, note), in the
 * order the ledger's unnest() reads them. Amounts travel as decimal strings so no digit is lost.
 */
export function movementParams(m: HoldMovement[]): unknown[] {
  return [
    m.map((x) => x.requestId),
    m.map((x) => x.accountId),
    // Only our own key ids (uuids) are stored; anything else must not fail the whole batch.
    m.map((x) => (x.keyId && UUID.test(x.keyId) ? x.keyId : null)),
    m.map((x) => x.model),
    m.map((x) => x.amountNano.toString()),
    m.map((x) => x.note),
  ];
}
