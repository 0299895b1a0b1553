import type { RateLimits } from './ratelimit.contract';

/** The principal an API key authenticates as. */
export interface KeyPrincipal {
  keyId: string;
  accountId: string;
  name: string | null;
  /** null = every model. */
  models: string[] | null;
  /**
   * The models to try, in order, when the requested one cannot serve; null = the catalog's chain for that model,
   * `[]` = no fallback. `models` still binds: the router drops a fallback the key may not use. A request's own
   * `fallbacks` replace these.
   */
  fallbacks: string[] | null;
  /** The key's rate limits (a null `rpm` = the deployment's default). */
  limits: RateLimits;
  /** The account's rate limits, shared by all its keys. */
  accountLimits: RateLimits | null;
  /** ISO time after which the key stops working; null = never. */
  expiresAt: string | null;
  budget: KeyBudget | null;
  /** The request log keeps this key's request bodies and answers (capped); absent = off (decision 0020). */
  logContent?: boolean;
}

export type BudgetPeriod = 'daily' | 'monthly' | 'total';
/** A key's own spending cap (nano-USD as a decimal string), per UTC day, UTC month, or over its lifetime. */
export interface KeyBudget {
  limitNano: string;
  period: BudgetPeriod;
}

export interface AuthRequest {
  keyHash: string;
}
/** `principal: null` = no such active key (the caller caches that briefly). */
export interface AuthReply {
  principal: KeyPrincipal | null;
}

/** Price per token in force when a request starts; it travels with the request so that price is the one billed. */
export interface PriceQuote {
  inputNanoPerToken: string;
  outputNanoPerToken: string;
  /** Prompt tokens the provider served from its cache; absent = the input price. */
  cachedInputNanoPerToken?: string;
  /**
   * Prompt tokens written to the provider's cache (5-minute lifetime, and 1-hour), where the provider charges a write
   * premium (Anthropic 1.25× and 2× the input price, Qwen's explicit cache 1.25×): quoted only to a request that marks
   * cache writes; absent = the input price (1h: the 5-minute price).
   */
  cacheWriteNanoPerToken?: string;
  cacheWrite1hNanoPerToken?: string;
  /** Audio tokens in and out, quoted only to a request that sends or asks for audio. */
  audioInputNanoPerToken?: string;
  audioOutputNanoPerToken?: string;
}

/**
 * What in a request changes its price beyond its token counts, worked out by ingress with the request's size: the
 * hold and the quote (which settlement bills at) follow it, or billing refuses the request with a 400 naming the
 * parameter it cannot price for the model.
 */
export interface PricingTerms {
  /** Audio input's worst case in tokens (not in the prompt's tokens), held at the audio input price. */
  audioTokens?: number;
  /** The answer may be audio (`modalities` asks for it): the output is held at the audio output price. */
  audioOutput?: boolean;
  /** The client's `service_tier`: `priority` is priced at the price book's priority prices; `flex` at the standard ones. */
  serviceTier?: string;
  /** The longest cache lifetime the request writes (`cache_control` marks): the prompt is held at that write price. */
  cacheWrite?: '5m' | '1h';
}

export interface HoldRequest {
  requestId: string;
  accountId: string;
  keyId: string;
  /** The real model (after `auto` resolution). */
  model: string;
  /** Prompt tokens counted by ingress with the tokenizer. */
  promptTokens: number;
  /** Most output tokens the request can produce (all `n` choices). */
  maxOutputTokens: number;
  keyBudget: KeyBudget | null;
  /** What else changes the price (audio, service tier, cache writes); absent = plain tokens at the standard prices. */
  terms?: PricingTerms;
}
/** The hold placed for the request's maximum cost (nano-USD as a decimal string) and the price it was priced at. */
export interface HoldReply {
  holdId: string;
  amountNano: string;
  price: PriceQuote;
}

/** Ends a hold that no usage event will settle (every attempt failed before producing output, or it expired). */
export interface HoldReleaseEvent {
  requestId: string;
  accountId: string;
  keyId: string;
  /**
   * Set by billing when it frees the hold in Redis itself (release-now, expiry): the amount the ledger's release
   * entry records. Without it, settlement reads the amount from the open hold before freeing it.
   */
  amountNano?: string;
  /** Why the hold ended, kept as the release entry's note. */
  reason?: 'failed' | 'expired' | 'lost';
}

/** A hold granted in Redis, written to the ledger asynchronously as a move into the customer's escrow. */
export interface HoldPlaced {
  requestId: string;
  accountId: string;
  keyId: string;
  model: string;
  amountNano: string;
}

/** Holds granted within a few milliseconds, published as one event (one JetStream write, not one per request). */
export interface HoldsPlacedEvent {
  holds: HoldPlaced[];
}

export interface KeyChangedEvent {
  keyId: string;
  keyHash: string;
  change: 'created' | 'updated' | 'revoked';
}

/** An account's settings changed: every cached principal of its keys is stale. */
export interface AccountChangedEvent {
  accountId: string;
}

/** Rate limits as the admin API takes and shows them; null = unlimited (for a key's rpm: the default). */
export interface RateLimitsView {
  rpm: number | null;
  tpm: number | null;
  max_concurrency: number | null;
  model_limits: Record<string, { rpm?: number | null; tpm?: number | null }> | null;
}

export interface AccountView {
  id: string;
  name: string;
  balance_usd: string;
  /** How far below zero the account may go (postpaid customers); "0.00" for prepaid. */
  credit_limit_usd: string;
  rate_limits: RateLimitsView;
  created_at: string;
}
export interface AccountCreateRequest extends Partial<RateLimitsView> {
  name: string;
  credit_usd?: string;
  credit_limit_usd?: string;
}
export interface AccountCreditRequest {
  account_id: string;
  amount_usd: string;
  /** Same key, same effect: a retried top-up is applied once. */
  idempotency_key: string;
  note?: string;
}
export interface AccountCreditReply {
  account: AccountView;
  /** false when this idempotency key had already been applied. */
  applied: boolean;
}

/** A correction: a refund gives money back to the customer; an adjustment moves it either way. */
export interface AccountAdjustRequest {
  account_id: string;
  kind: 'refund' | 'adjustment';
  /** Signed for adjustments ("-1.50" takes money); refunds must be positive. */
  amount_usd: string;
  idempotency_key: string;
  note: string;
  request_id?: string;
}

export interface LedgerVerifyReply {
  ok: boolean;
  accounts_checked: number;
  /** Accounts whose balance differs from the sum of their ledger movements. */
  balance_mismatches: { account_id: string; balance_nano: string; ledger_nano: string }[];
  /** Sum of all postings (debits and credits) over every account, system ones included: must be 0. */
  postings_sum_nano: string;
  /** Usage events still in the stream that are not in the ledger exactly once. */
  usage_events_checked: number;
  usage_events_missing: string[];
  /** Holds recorded in the ledger and not yet released, and the money they keep in escrow. */
  open_holds: number;
  open_holds_nano: string;
  /** Accounts whose escrow postings differ from their open holds (or went negative). */
  escrow_mismatches: { account_id: string; escrow_nano: string; open_holds_nano: string }[];
  /** Open holds older than the hold lifetime plus a grace period: the expiry job should have released them. */
  stale_holds: string[];
  /** How far settlement is behind: not an invariant (a backlog is not an error), reported for operators. */
  settlement: SettlementLagReply;
}
export interface AccountGetRequest {
  id: string;
}

export interface KeyView {
  id: string;
  account_id: string;
  name: string | null;
  models: string[] | null;
  /** null = the catalog's fallback chain; `[]` = none. */
  fallbacks: string[] | null;
  rate_limits: RateLimitsView;
  budget_usd: string | null;
  budget_period: BudgetPeriod | null;
  expires_at: string | null;
  created_at: string;
  /** The request log keeps this key's request bodies and answers (capped). */
  log_content: boolean;
}
export interface KeyCreateRequest {
  account_id: string;
  name?: string;
  models?: string[];
  /** Up to 8 distinct model ids, never `auto`; left out = the catalog's chain, `[]` = no fallback. */
  fallbacks?: string[];
  /** Older spelling of `rpm`. */
  rpm_limit?: number;
  rpm?: number | null;
  tpm?: number | null;
  max_concurrency?: number | null;
  model_limits?: RateLimitsView['model_limits'];
  budget_usd?: string;
  /** Default `monthly` when a budget is given. */
  budget_period?: BudgetPeriod;
  expires_at?: string;
  /** Default false. */
  log_content?: boolean;
}
/** The only place the plaintext key ever appears. */
export interface KeyCreateReply extends KeyView {
  key: string;
}
/** Changes a key's rate limits and fallbacks; fields left out keep their value, null clears one. */
export interface KeyUpdateRequest extends Partial<RateLimitsView> {
  id: string;
  /** null = back to the catalog's chain. */
  fallbacks?: string[] | null;
  log_content?: boolean;
}
/** Changes an account's rate limits (shared by all its keys). */
export interface AccountUpdateRequest extends Partial<RateLimitsView> {
  id: string;
}
export interface KeyRevokeRequest {
  id: string;
}
export interface KeyRevokeReply {
  id: string;
  revoked: true;
}

export interface PricesChangedEvent {
  model: string;
}

/** A model's price as the admin API shows it: USD per 1M tokens, decimal strings. */
export interface PriceView extends PriceExtrasView {
  model: string;
  input_usd_per_mtok: string;
  output_usd_per_mtok: string;
  cached_input_usd_per_mtok: string | null;
  effective_from: string;
  /** Earlier and scheduled versions, newest first. */
  history: ({ input_usd_per_mtok: string; output_usd_per_mtok: string; cached_input_usd_per_mtok: string | null; effective_from: string } & PriceExtrasView)[];
}

/**
 * The prices a model has beyond input and output (USD per 1M tokens; null = not offered, see `PriceSetRequest`).
 */
export interface PriceExtrasView {
  priority_input_usd_per_mtok?: string | null;
  priority_output_usd_per_mtok?: string | null;
  priority_cached_input_usd_per_mtok?: string | null;
  cache_write_usd_per_mtok?: string | null;
  cache_write_1h_usd_per_mtok?: string | null;
  audio_input_usd_per_mtok?: string | null;
  audio_output_usd_per_mtok?: string | null;
}
export interface PriceGetRequest {
  model: string;
}
export interface PriceSetRequest {
  model: string;
  input_usd_per_mtok: string;
  output_usd_per_mtok: string;
  cached_input_usd_per_mtok?: string;
  /**
   * `service_tier: "priority"` prices (input and output together; cached input optional). Without them a priority
   * request to this model is refused with a 400, as it cannot be priced.
   */
  priority_input_usd_per_mtok?: string;
  priority_output_usd_per_mtok?: string;
  priority_cached_input_usd_per_mtok?: string;
  /** Cache-write prices where the provider charges them (default: the input price; 1h default: the 5-minute one). */
  cache_write_usd_per_mtok?: string;
  cache_write_1h_usd_per_mtok?: string;
  /** Audio token prices; without an input one, audio input to this model is refused (without an output one, audio output). */
  audio_input_usd_per_mtok?: string;
  audio_output_usd_per_mtok?: string;
  /** ISO time; default now. A future time schedules a change. */
  effective_from?: string;
}

export type UsageGroupBy = 'model' | 'key' | 'day' | 'hour';
export interface UsageReportRequest {
  account_id?: string;
  key_id?: string;
  model?: string;
  /** ISO times; `to` is exclusive. */
  from?: string;
  to?: string;
  group_by?: UsageGroupBy;
}
export interface UsageReportRow {
  /** The group's value (model id, key id, `YYYY-MM-DD`, `YYYY-MM-DDTHH:00:00Z`), or "total". */
  group: string;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: string;
}
export interface UsageReportReply {
  object: 'usage_report';
  group_by: UsageGroupBy | null;
  from: string | null;
  to: string | null;
  data: UsageReportRow[];
  total: Omit<UsageReportRow, 'group'>;
}

/**
 * How long answers really are, per model and `auto` task category: completion tokens (a reasoning model's thinking
 * included) of settled, successful usage over the last `window_days` UTC days, from billing's daily rollup.
 */
export interface OutputStatsReply {
  window_days: number;
  rows: OutputStatsRow[];
}
export interface OutputStatsRow {
  model: string;
  category: string;
  /** Usage entries averaged. */
  n: number;
  avg_completion_tokens: number;
}

export interface KeyInfoRequest {
  keyId: string;
}
/** What a key holder may see about its own key (GET /v1/key): limits, spend, and what is left. */
export interface KeyInfoReply {
  object: 'key';
  id: string;
  name: string | null;
  models: string[] | null;
  /** The key's own limits, and its account's (shared by all the account's keys). */
  rate_limits: { key: RateLimitsView; account: RateLimitsView };
  budget: { limit_usd: string; period: BudgetPeriod; remaining_usd: string } | null;
  expires_at: string | null;
  spend_usd: { total: string; today: string; this_month: string };
  account: { balance_usd: string; credit_limit_usd: string };
  created_at: string;
}

/**
 * How far settlement is behind (`tf.billing.settlement-lag.v1`, also in the ledger verify reply and the ingress's
 * `tokenflow_settlement_*` metrics).
 */
export interface SettlementLagReply {
  /** Events in the usage stream settlement has not acknowledged: not yet delivered, in flight, or waiting to retry. */
  pending: number;
  /** Age of the oldest of them (seconds since it was stored); 0 when nothing is pending. */
  oldest_unsettled_seconds: number;
  /** Events parked in `billing.parked_usage` and not yet replayed. */
  parked: number;
  /** Age of the oldest parked event (since its first failure), 0 when none. */
  oldest_parked_seconds: number;
  /** Since when settlement cannot write the ledger (ISO time), null when it can: holds are then risk-limited. */
  ledger_unavailable_since: string | null;
}

/** A usage-stream event settlement could not apply for its own sake (not an outage), kept for replay. */
export interface ParkedUsageView {
  id: string;
  /** The event's subject and JetStream msgId, and the event itself, as delivered. */
  subject: string;
  event_key: string;
  event: unknown;
  reason: string;
  attempts: number;
  first_failed_at: string;
  last_failed_at: string;
  /** When a replay applied it; null while it is still parked. */
  replayed_at: string | null;
}
export interface ParkedUsageListRequest {
  /** true: replayed ones too. */
  all?: boolean;
  limit?: number;
}
export interface ParkedUsageListReply {
  object: 'list';
  data: ParkedUsageView[];
}
/** `id` absent: every parked event, oldest first. */
export interface ParkedUsageReplayRequest {
  id?: string;
}
export interface ParkedUsageReplayReply {
  replayed: number;
  failed: { id: string; reason: string }[];
}
