import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type ResponseDeleteReply, type ResponseInputItemsRequest, type ResponseItem, type ResponseItemsRequest, RESPONSE_ITEM_REFS_MAX, type StoredResponse, TfError } from '@tokenflow/contracts';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { StoredResponsesRepository } from './stored-responses.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Longer ids are never ours (ingress makes `resp_` + 48 hex): looked up as unknown, without a query. */
const MAX_ID_LENGTH = 200;
/**
 * What one `item_reference` lookup may read, as a multiple of `RESPONSES_CONTEXT_MAX_BYTES` by the referenced
 * responses' stored size: each referenced response is read once, but distinct items of many large responses would
 * otherwise make Postgres read gigabytes for one request.
 */
const ITEMS_READ_FACTOR = 8;
/** A carried store request's JSON beyond the stored bytes: the envelope and the response's own fields. */
const STORE_ENVELOPE_BYTES = 64 * 1024;

export type StoredResponsesConfig = Pick<BillingConfig, 'RESPONSES_STORE_MAX_BYTES' | 'RESPONSES_CONTEXT_MAX_BYTES' | 'RESPONSES_CONTEXT_MAX_TURNS'>;

/**
 * Stored Responses API responses (decision 0022): what `store: true` keeps, what `previous_response_id` continues,
 * and what `GET/DELETE /v1/responses/{id}` read. Everything is scoped to one account: another account's id is
 * exactly as unknown as an id that never existed.
 */
@Injectable()
export class StoredResponsesService {
  constructor(
    private readonly repo: StoredResponsesRepository,
    @Inject(BILLING_CONFIG) private readonly config: StoredResponsesConfig,
  ) {}

  /** Idempotent on the id. Bounded: larger than `RESPONSES_STORE_MAX_BYTES` as JSON is refused (413). */
  async store(r: StoredResponse): Promise<{ stored: true }> {
    checkStorable(r);
    const input = r.input.map(withId);
    const inputJson = storableJson(input);
    const responseJson = storableJson(r.response);
    const bytes = Buffer.byteLength(inputJson) + Buffer.byteLength(responseJson);
    if (bytes > this.config.RESPONSES_STORE_MAX_BYTES) {
      throw new TfError(
        'request_too_large',
        `The response '${r.id}' is too large to store (${bytes} bytes of input and output; at most ${this.config.RESPONSES_STORE_MAX_BYTES}). Send it with store: false.`,
        { param: 'store' },
      );
    }
    const output = Array.isArray(r.response.output) ? r.response.output : [];
    await this.repo.insert({
      id: r.id,
      accountId: r.accountId,
      keyId: r.keyId,
      createdAt: Math.floor(r.createdAt),
      model: r.model,
      previousResponseId: r.previousResponseId,
      inputJson,
      responseJson,
      contextBytes: Buffer.byteLength(inputJson) + Buffer.byteLength(JSON.stringify(output)),
    });
    return { stored: true };
  }

  /** The most a carried store request may be (its blob is refused past it, unread). */
  get storeRequestMaxBytes(): number {
    return this.config.RESPONSES_STORE_MAX_BYTES + STORE_ENVELOPE_BYTES;
  }

  storeTooLarge(bytes: number): TfError {
    return new TfError('request_too_large', `The response is too large to store (${bytes} bytes; at most ${this.config.RESPONSES_STORE_MAX_BYTES}). Send it with store: false.`, { param: 'store' });
  }

  /** The stored Response object as JSON text (passed through to the client, never parsed here). */
  async getJson(id: string, accountId: string): Promise<string> {
    const json = scoped(id, accountId) ? await this.repo.getJson(id, accountId) : null;
    if (json === null) throw notFound(id);
    return json;
  }

  /**
   * The items a request's `item_reference`s name (`ResponseItemsReply` as JSON text, in the refs' order, null where not
   * found), in one bounded query within the account: at most `RESPONSE_ITEM_REFS_MAX` refs; the referenced responses
   * at most `ITEMS_READ_FACTOR` × `RESPONSES_CONTEXT_MAX_BYTES` as stored (else a 400); the items themselves at most
   * `maxBytes` (else a 413) — both naming `input`.
   */
  async items(req: ResponseItemsRequest): Promise<string> {
    const refs = req?.refs;
    if (!Array.isArray(refs) || refs.length > RESPONSE_ITEM_REFS_MAX) {
      throw new TfError('invalid_request', `At most ${RESPONSE_ITEM_REFS_MAX} items may be referenced in one request.`, { param: 'input' });
    }
    if (typeof req.maxBytes !== 'number' || !(req.maxBytes >= 0)) throw new TfError('invalid_request', 'maxBytes must be a number of bytes.');
    const valid = refs.filter((r) => r && scoped(r.id, req.accountId) && scoped(r.responseId, req.accountId));
    const found = new Map<number, string | null>();
    let total = 0;
    if (valid.length > 0) {
      const responseIds = [...new Set(valid.map((r) => r.responseId))];
      const readMax = ITEMS_READ_FACTOR * this.config.RESPONSES_CONTEXT_MAX_BYTES;
      const read = await this.repo.storedBytes(responseIds, req.accountId);
      if (read > readMax) {
        throw new TfError('invalid_request', `The item references in 'input' name items of responses that are ${read} bytes in all, more than ${readMax} one request may read. Send the items themselves instead.`, { param: 'input' });
      }
      // Positions in `valid` map back to positions in `refs` (a malformed ref is simply not found).
      const kept = new Set(valid);
      const positions = refs.flatMap((r, i) => (kept.has(r) ? [i] : []));
      for (const row of await this.repo.items(valid, req.accountId, req.maxBytes)) {
        total = Number(row.total);
        found.set(positions[row.n - 1], row.json);
      }
      if (total > req.maxBytes) {
        throw new TfError('request_too_large', `The items referenced in 'input' are ${total} bytes, more than the ${req.maxBytes} this request may add within the request size limit.`, { param: 'input' });
      }
    }
    let json = '{"items":[';
    for (let i = 0; i < refs.length; i++) json += `${i ? ',' : ''}${found.get(i) ?? 'null'}`;
    return `${json}],"bytes":${total}}`;
  }

  /**
   * Every turn of the chain ending at `id`, oldest first: each turn's input items, then its Response's output items.
   * One bounded query (turns, bytes); past a bound, or when a turn of the chain is gone (deleted, past retention),
   * a 400 naming `previous_response_id` — never a silently shortened conversation.
   */
  async context(id: string, accountId: string): Promise<string> {
    const maxTurns = this.config.RESPONSES_CONTEXT_MAX_TURNS;
    const maxBytes = this.config.RESPONSES_CONTEXT_MAX_BYTES;
    const rows = scoped(id, accountId) ? await this.repo.chain(id, accountId, maxTurns, maxBytes) : [];
    if (rows.length === 0) throw notFound(id, 'previous_response_id');
    const last = rows[rows.length - 1];
    if (last.depth > maxTurns) {
      throw invalidContinuation(`The conversation ending at response '${id}' has more than ${maxTurns} turns, more than previous_response_id may continue. Start a new conversation, sending the turns you need as input.`);
    }
    if (Number(last.total_bytes) > maxBytes) {
      throw invalidContinuation(`The conversation ending at response '${id}' is larger than ${maxBytes} bytes, more than previous_response_id may continue. Start a new conversation, sending the turns you need as input.`);
    }
    if (last.previous_response_id !== null) {
      throw invalidContinuation(
        `The conversation ending at response '${id}' cannot be continued: its earlier response '${last.previous_response_id}' no longer exists (deleted or past retention). Start a new conversation, sending the turns you need as input.`,
      );
    }
    // `ResponseContextReply` spliced from the jsonb arrays' own text: nothing of the conversation is parsed here.
    const parts: string[] = [];
    for (let i = rows.length - 1; i >= 0; i--) {
      for (const array of [rows[i].input, rows[i].output]) {
        const inner = (array ?? '[]').slice(1, -1).trim();
        if (inner) parts.push(inner);
      }
    }
    return `{"items":[${parts.join(',')}],"bytes":${Number(last.total_bytes)}}`;
  }

  /** OpenAI's list of a response's input items: `after` an item id, `limit` 1–100 (20), `order` desc (default) or asc. */
  async inputItems(q: ResponseInputItemsRequest): Promise<string> {
    const limit = q.limit ?? 20;
    const order = q.order ?? 'desc';
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new TfError('invalid_request', `limit must be an integer from 1 to 100 (got ${String(q.limit)}).`, { param: 'limit' });
    if (order !== 'asc' && order !== 'desc') throw new TfError('invalid_request', `order must be 'asc' or 'desc' (got '${String(q.order)}').`, { param: 'order' });
    if (q.after !== undefined && (typeof q.after !== 'string' || q.after.length > MAX_ID_LENGTH)) {
      throw new TfError('invalid_request', 'after must be the id of one of the response\'s input items.', { param: 'after' });
    }
    const anchor = scoped(q.id, q.accountId) ? await this.repo.inputItemsAnchor(q.id, q.accountId, q.after) : null;
    if (!anchor) throw notFound(q.id);
    let from = order === 'asc' ? 0 : anchor.length + 1;
    if (q.after !== undefined) {
      if (anchor.after_n === null) throw new TfError('invalid_request', `No input item with id '${q.after}' in response '${q.id}'.`, { param: 'after' });
      from = anchor.after_n;
    }
    const rows = await this.repo.inputItems(q.id, q.accountId, from, order, limit + 1);
    const data = rows.slice(0, limit);
    // `ResponseInputItemsReply` as JSON text around the items' own (a page may hold megabytes of images).
    const first = data.length ? (data[0].id ?? null) : null;
    const last = data.length ? (data[data.length - 1].id ?? null) : null;
    return `{"object":"list","data":[${data.map((r) => r.json).join(',')}],"first_id":${JSON.stringify(first)},"last_id":${JSON.stringify(last)},"has_more":${rows.length > limit}}`;
  }

  /** Gone for good: a later `previous_response_id` pointing at it, or at a response after it, fails. */
  async delete(id: string, accountId: string): Promise<ResponseDeleteReply> {
    const deleted = scoped(id, accountId) && (await this.repo.delete(id, accountId));
    if (!deleted) throw notFound(id);
    return { id, object: 'response', deleted: true };
  }
}

function notFound(id: string, param: string | null = null): TfError {
  return new TfError('not_found', `No response found with id '${id}'.`, { param });
}

function invalidContinuation(message: string): TfError {
  return new TfError('invalid_request', message, { param: 'previous_response_id' });
}

/** A lookup that can match a row at all (else it is simply not found, and Postgres never sees a malformed uuid). */
function scoped(id: unknown, accountId: unknown): boolean {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH && typeof accountId === 'string' && UUID.test(accountId);
}

function checkStorable(r: StoredResponse | undefined): asserts r is StoredResponse {
  const bad = (what: string) => new TfError('invalid_request', `Cannot store the response: ${what}.`);
  if (!r || typeof r !== 'object') throw bad('no response');
  if (typeof r.id !== 'string' || r.id.length === 0 || r.id.length > MAX_ID_LENGTH) throw bad('id must be a string of 1 to 200 characters');
  if (typeof r.accountId !== 'string' || !UUID.test(r.accountId)) throw bad('accountId must be a uuid');
  if (typeof r.keyId !== 'string' || !UUID.test(r.keyId)) throw bad('keyId must be a uuid');
  if (typeof r.createdAt !== 'number' || !Number.isFinite(r.createdAt) || r.createdAt < 0) throw bad('createdAt must be Unix seconds');
  if (typeof r.model !== 'string') throw bad('model must be a string');
  if (r.previousResponseId !== null && (typeof r.previousResponseId !== 'string' || r.previousResponseId.length > MAX_ID_LENGTH)) throw bad('previousResponseId must be a response id or null');
  if (!Array.isArray(r.input) || r.input.some((i) => !i || typeof i !== 'object' || typeof i.type !== 'string')) throw bad('input must be a list of items with a type');
  if (!r.response || typeof r.response !== 'object' || Array.isArray(r.response)) throw bad('response must be the Response object');
}

/** Items keep their ids; one without (ingress gives every item one) gets one, so `after` can name it. */
function withId(item: ResponseItem): ResponseItem {
  if (typeof item.id === 'string' && item.id) return item;
  return { ...item, id: `${item.type === 'message' ? 'msg' : 'item'}_${randomBytes(24).toString('hex')}` };
}

/**
 * JSON for a jsonb column. jsonb cannot hold U+0000: an escaped NUL (`\u0000`, preceded by an even number of
 * backslashes, so not a literal backslash followed by "u0000") becomes U+FFFD — a response is never refused for a character.
 */
export function storableJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (!text.includes('\\u0000')) return text;
  return text.replace(/\\+u0000/g, (m) => {
    const slashes = m.length - 5;
    return slashes % 2 === 1 ? `${m.slice(0, slashes - 1)}\\ufffd` : m;
  });
}
