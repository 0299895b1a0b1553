import type { Endpoint } from './adapter.contract';
import type { ChannelHealthView } from './health.contract';
import type { Provider } from './providers';

export interface ChannelTimeouts {
  connectMs: number;
  firstByteMs: number;
  idleMs: number;
}

/**
 * One upstream call as the router plans it and as it crosses the bus (plan reply → ingress → adapter): everything
 * the adapter needs except the secret, which it resolves from `keyRef` (`tf.router.channel-keys.v1`). No upstream
 * key ever rides in a plan, so none reaches the public edge.
 */
export interface PlannedAttempt {
  channelId: string;
  channelName: string;
  provider: Provider;
  baseUrl: string;
  /**
   * Which of the channel's upstream keys to use: `upstreamKeyFingerprint(apiKey)`, stable while the key is
   * configured and not the key itself. Also how a refused key is reported (`KeyFailedEvent.keyFingerprint`).
   */
  keyRef: string;
  upstreamModel: string;
  timeouts: ChannelTimeouts;
  /** The channel's per-key, per-model limits (the upstream's quota); absent = none. */
  upstreamLimits?: UpstreamLimits;
}

/**
 * The adapter's internal view of an attempt: the upstream credential in place of its reference, resolved from
 * `keyRef`. What the providers build the upstream request from. It never crosses the bus, is never logged and never
 * returned to anyone.
 */
export type Attempt = Omit<PlannedAttempt, 'keyRef'> & {
  /** The upstream credential. Never logged, never returned to a client, never published. */
  apiKey: string;
};

/** Limits on one upstream API key for one model, shared by every gateway replica. */
export interface UpstreamLimits {
  /** Stable, non-secret id of the upstream key (channel id + a hash of the key). */
  ref: string;
  rpm: number | null;
  tpm: number | null;
}

/** Per upstream API key and per model: the quota the provider grants that key. */
export interface ChannelKeyLimits {
  rpm?: number | null;
  tpm?: number | null;
}

/** Content beyond text a model may take: images, audio, files (PDF). */
export type ContentInput = 'image' | 'audio' | 'file';

export interface PlanRequest {
  requestId: string;
  model: string;
  /**
   * The API asked for: `chat` (chat completions, responses, Anthropic messages) and `completions` need a `chat`
   * model, `embeddings` an `embedding` one. The router refuses a model of the other kind (400 `model_not_supported`,
   * param model) and leaves such models out of the fallback chain. Absent: not checked (an older ingress).
   */
  endpoint?: Endpoint;
  /** The key's allow-list (null = all); `auto` may only resolve inside it. */
  allowedModels: string[] | null;
  /**
   * `auto` only: models that already failed with `context_length_exceeded`; the router then picks a model with a
   * larger context window than theirs (and at least `minContextTokens`).
   */
  excludeModels?: string[];
  minContextTokens?: number;
  /**
   * The models to fall back to, in order, when `model` cannot serve (every channel failed retryably before the first
   * byte, or its breakers are open): the request's `fallbacks`, else the key's. Absent or null: the catalog's chain
   * for the model. `[]`: none (a round that already is a fallback). The key's `allowedModels` still bind.
   */
  fallbacks?: string[] | null;
  /** Keys that already failed this request (`channelId/keyRef`): a later plan for it never names them again. */
  avoidKeys?: string[];
  /** `auto` only: what ingress learnt of the request, for the router's cost-aware choice. */
  auto?: AutoSignal;
  /**
   * The request's latency target (`route.latency_target_ms`, `x-tokenflow-latency-target-ms`), for every round of
   * every model: channels whose recent p95 TTFT misses it are left out of the plan, unless none meets it.
   */
  latencyTargetMs?: number;
}

/** How `auto` trades quality for money: `economy` goes premium only for a large expected gain, `quality` for a small one. */
export type RouteMode = 'economy' | 'balanced' | 'quality';

/** A request's preferences for `auto` (body field `route`, header `x-tokenflow-latency-target-ms`). */
export interface RoutePreferences {
  mode?: RouteMode;
  /** USD per 1M output tokens: dearer models are left out. */
  maxPricePer1mOutput?: number;
  /** Channels whose recent p95 TTFT misses it are left out; the fastest of near-ties wins. */
  latencyTargetMs?: number;
  /** Only these models (inside the key's allow-list). */
  models?: string[];
}

/** What ingress knows of an `auto` request: the classifier's verdict, the request's size and its preferences. */
export interface AutoSignal {
  category: string;
  /** P(premium needed) − P(premium hurts), from the classifier (the router blends it with the category's prior). */
  gain: number;
  /** The classifier's weights version. */
  classifier: string;
  /** The classifier's deployed threshold on `gain` for `balanced` (≥ 95% of premium quality kept on held-out data). */
  threshold: number;
  promptTokens: number;
  /** The request's own output cap, if any. */
  maxTokens: number | null;
  prefs: RoutePreferences;
}
export interface PlanReply {
  /** The real model that will serve the request (never `auto`). */
  model: string;
  /** The model's output limit from the catalog (null = unknown), used to bound the hold. */
  maxOutputTokens: number | null;
  /** The model's context window from the catalog (null = unknown): the output cap ingress adds must fit beside the prompt. */
  contextWindow?: number | null;
  /**
   * The content parts the model takes besides text, from the catalog (null or absent: unknown, nothing is refused).
   * Ingress refuses a part outside them with a 400 naming it, before the hold.
   */
  inputs?: ContentInput[] | null;
  /** `fallback`: the asked model had no available channel, so the plan starts on the first of its chain that has one. */
  route: 'direct' | 'auto' | 'auto-default' | 'auto-context-fallback' | 'fallback';
  reason: string;
  attempts: PlannedAttempt[];
  /** `auto`'s decision, explained (category, scores, mode, estimated cost, reason, fallbacks): the `x-tokenflow-route` value. */
  explain?: string;
  /**
   * The rest of the chain, in order: models that exist, the key may use and that had an available channel when
   * planned. Ingress plans the next one (with `fallbacks: []`) when every attempt of this plan failed retryably.
   */
  fallbacks: string[];
}

/** A catalog model as the admin API shows and edits it. */
export interface CatalogModelView {
  id: string;
  owned_by: string;
  context_window: number | null;
  max_output_tokens: number | null;
  inputs: ContentInput[] | null;
  /** Where a request for this model goes when it cannot be served, in order (a key's or request's chain replaces it). */
  fallbacks: string[];
  /** `auto`: the model's tier, its expected quality per task category (0–1) and output tokens per answered token. */
  tier: 'economy' | 'standard' | 'premium';
  strengths: Record<string, number>;
  output_factor: number;
  /** Enabled channels serving it. */
  channel_count: number;
}
export interface CatalogListReply {
  object: 'list';
  data: CatalogModelView[];
}
export interface CatalogModelPatch {
  fallbacks?: string[];
  tier?: 'economy' | 'standard' | 'premium';
  /** Merged into the current strengths (a category given replaces its value). */
  strengths?: Record<string, number>;
  output_factor?: number;
}

/** `auto`'s prior for one task category, as the admin API shows and edits it. */
export interface CategoryPriorView {
  category: string;
  /** Expected gain of a premium model, −1…1, blended with the classifier's. */
  gain: number;
  /** How much the classifier's gain counts against `gain` (0–1): high where its training data covers the category. */
  classifier_weight: number;
  /** Added to the gain per doubling of the prompt past 256 tokens, at most four times (0–0.25; seeded for code). */
  gain_per_doubling: number;
  /** Expected answer length when a request sets no `max_tokens` (times a model's output factor). */
  output_tokens: number;
  /**
   * What the ledger saw, per model: average completion tokens in this category over billing's window and how many
   * requests that is. From `AUTO_OUTPUT_MIN_SAMPLES` requests on, `auto` expects that instead of `output_tokens`.
   */
  observed_output_tokens?: Record<string, { n: number; avg_completion_tokens: number }>;
}
export interface CategoryPriorUpdateRequest {
  category: string;
  patch: { gain?: number; classifier_weight?: number; gain_per_doubling?: number; output_tokens?: number };
}
export interface CatalogUpdateRequest {
  id: string;
  patch: CatalogModelPatch;
}

/**
 * OpenAI's model object, plus extra fields (as OpenRouter's list has them) that OpenAI clients ignore: today's
 * price, the context window and output limit, what it takes besides text, its tier; `auto` describes itself.
 */
export interface ModelCard {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  description?: string;
  /** USD per 1M tokens, decimal strings (absent: not priced). */
  pricing?: { input_usd_per_mtok: string; output_usd_per_mtok: string };
  context_window?: number | null;
  max_output_tokens?: number | null;
  input_modalities?: string[];
  /** `text` for a chat model, `embedding` for an embedding model. */
  output_modalities?: string[];
  /** `chat` or `embedding` (which APIs it serves: chat and completions, or embeddings). */
  type?: 'chat' | 'embedding';
  tier?: 'economy' | 'standard' | 'premium';
}
export interface ModelsListRequest {
  /** Restrict to what a key may use (null = all). */
  allowedModels: string[] | null;
}
export interface ModelsListReply {
  object: 'list';
  data: ModelCard[];
}
export interface ModelGetRequest {
  id: string;
  allowedModels: string[] | null;
}

export interface ChannelInput {
  name: string;
  provider: Provider;
  /** Absent: the provider's public default. */
  base_url?: string;
  api_keys: string[];
  models: string[];
  model_mapping?: Record<string, string>;
  priority?: number;
  weight?: number;
  enabled?: boolean;
  connect_timeout_ms?: number;
  first_byte_timeout_ms?: number;
  idle_timeout_ms?: number;
  key_limits?: ChannelKeyLimits | null;
}
/** A channel as the admin API shows it: the upstream keys are never echoed, only counted. */
export interface ChannelView {
  id: string;
  name: string;
  provider: Provider;
  /** null: the provider's public default. */
  base_url: string | null;
  api_key_count: number;
  models: string[];
  model_mapping: Record<string, string>;
  priority: number;
  weight: number;
  enabled: boolean;
  connect_timeout_ms: number;
  first_byte_timeout_ms: number;
  idle_timeout_ms: number;
  key_limits: ChannelKeyLimits | null;
  created_at: string;
  updated_at: string;
  /** Live health as this router replica sees it (every replica hears the same reports). */
  health: ChannelHealthView;
}
export interface ChannelListReply {
  object: 'list';
  data: ChannelView[];
}
export interface ChannelUpdateRequest {
  id: string;
  patch: Partial<ChannelInput>;
}
export interface ChannelIdRequest {
  id: string;
}
export interface ChannelDeleteReply {
  id: string;
  deleted: true;
}
/** The routing table changed: a channel (its verdicts are forgotten), or the catalog when `channelId` is absent. */
export interface ChannelsChangedEvent {
  channelId?: string;
}

/**
 * An upstream refused one of a channel's keys; the key is named by its fingerprint, never in clear. `auth`/`quota`
 * disable the key until a probe passes; `rate_limited` cools it down for `retryAfterMs`.
 */
export interface KeyFailedEvent {
  channelId: string;
  /** The refused attempt's `keyRef`. */
  keyFingerprint: string;
  reason: 'auth' | 'quota' | 'rate_limited';
  /** `rate_limited`: how long the upstream asked us to wait (absent: the router's default cool-down). */
  retryAfterMs?: number;
}

/** The adapter asks the router for one channel's upstream keys (and caches them until the channel changes). */
export interface ChannelKeysRequest {
  channelId: string;
}
/** Every key of the channel with its `keyRef`; empty when the router knows no such channel (deleted). */
export interface ChannelKeysReply {
  keys: { ref: string; apiKey: string }[];
}
