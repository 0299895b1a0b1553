import { randomBytes } from 'node:crypto';

/**
 * Ids of one response and its items. Every item id carries the response's own hex, so an `item_reference` (the AI
 * SDK sends them for earlier output when `store` is on) names the stored response that holds the item.
 */
export class ResponseIds {
  readonly response: string;
  readonly message: string;
  readonly reasoning: string;

  constructor(readonly hex: string = randomBytes(24).toString('hex')) {
    this.response = `resp_${hex}`;
    this.message = `msg_${hex}`;
    this.reasoning = `rs_${hex}`;
  }

  /** The `n`-th message of the answer (0: `msg_<hex>`, then `msg_<hex>_1`, …). */
  messageId(n: number): string {
    return n === 0 ? this.message : `${this.message}_${n}`;
  }

  /** The `n`-th reasoning item (interleaved thinking has several): `rs_<hex>`, then `rs_<hex>_1`, …. */
  reasoningId(n: number): string {
    return n === 0 ? this.reasoning : `${this.reasoning}_${n}`;
  }

  functionCall(n: number): string {
    return `fc_${this.hex}_${n}`;
  }

  /** This turn's `i`-th input item, as stored. */
  input(prefix: string, i: number): string {
    return `${prefix}_${this.hex}_in${i}`;
  }
}

const ITEM_ID = /^[a-z]+_([0-9a-f]{48})(?:_[a-z0-9]+)?$/;

/** The response an item id of ours belongs to (`msg_<hex>` → `resp_<hex>`), or null for anyone else's id. */
export function responseIdOfItem(itemId: string): string | null {
  const m = ITEM_ID.exec(itemId);
  return m ? `resp_${m[1]}` : null;
}
