import { AUTO_MODEL, needsBaseUrl, PROVIDERS } from '@tokenflow/contracts';
import { CATEGORIES } from '@tokenflow/routing';
import { z } from 'zod';

const usd = z.string().regex(/^\d{1,12}(\.\d{1,9})?$/, 'must be a non-negative decimal string such as "10.00"');
const modelId = z.string().min(1).max(200);
const timeout = z.number().int().min(100).max(3_600_000);

const limit = z.number().int().min(1).max(1_000_000_000).nullable();
/** `rpm`, `tpm`, `max_concurrency` and per-model `{rpm, tpm}`; null clears a limit. */
const rateLimitFields = {
  rpm: limit.optional(),
  tpm: limit.optional(),
  max_concurrency: limit.optional(),
  model_limits: z
    .record(modelId, z.strictObject({ rpm: limit.optional(), tpm: limit.optional() }))
    .refine((m) => Object.keys(m).length <= 1000, 'at most 1000 models')
    .nullable()
    .optional(),
};
const atLeastOne = (p: object) => Object.keys(p).length > 0;

export const accountCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  credit_usd: usd.optional(),
  credit_limit_usd: usd.optional(),
  ...rateLimitFields,
});

export const rateLimitsPatchSchema = z.strictObject(rateLimitFields).refine(atLeastOne, 'at least one of rpm, tpm, max_concurrency, model_limits must be given');

/**
 * A key's own fallback chain, tried in order; `[]` = no fallback. Not checked against the key's `models`: those bind
 * at request time, where the router drops a fallback the key may not use, so the allow-list is enforced in one place.
 * `auto` is refused: it hands the choice to the router, and a chain exists to name models.
 */
export const keyFallbacksSchema = z
  .array(z.string().min(1).max(256).refine((m) => m !== AUTO_MODEL, `'${AUTO_MODEL}' cannot be a fallback: name a model`))
  .max(8)
  .refine((chain) => new Set(chain).size === chain.length, {
    error: (issue) => `names '${firstRepeat(issue.input as string[])}' twice: each model may appear once`,
  });

function firstRepeat(chain: string[]): string | undefined {
  return chain.find((m, i) => chain.indexOf(m) !== i);
}

export const accountCreditSchema = z.strictObject({
  amount_usd: usd,
  note: z.string().max(500).optional(),
});

/** Stripe's convention: any client-chosen string up to 255 characters. */
export const idempotencyKeySchema = z.string().trim().min(1).max(255);

export const keyCreateSchema = z.strictObject({
  account_id: z.string().min(1),
  name: z.string().max(200).optional(),
  models: z.array(modelId).max(1000).optional(),
  fallbacks: keyFallbacksSchema.optional(),
  rpm_limit: z.number().int().min(1).max(1_000_000_000).optional(),
  ...rateLimitFields,
  budget_usd: usd.optional(),
  budget_period: z.enum(['daily', 'monthly', 'total']).optional(),
  expires_at: z.iso.datetime({ offset: true }).optional(),
  /** The request log keeps this key's request bodies and answers (capped; decision 0020). */
  log_content: z.boolean().optional(),
});

/** A key's rate limits, fallbacks and content logging; null clears a limit, or the chain back to the catalog's. */
export const keyPatchSchema = z
  .strictObject({ ...rateLimitFields, fallbacks: keyFallbacksSchema.nullable().optional(), log_content: z.boolean().optional() })
  .refine(atLeastOne, 'at least one of rpm, tpm, max_concurrency, model_limits, fallbacks, log_content must be given');

const channelFields = {
  name: z.string().trim().min(1).max(200),
  /** One of the adapter's provider folders (the list is derived from them; decision 0010). */
  provider: z.enum(PROVIDERS),
  /** Optional for providers with a public default base URL; required for those without (`openai-compatible`). */
  base_url: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    // A base URL travels in plans through ingress; credentials belong in api_keys, which never leave the router and adapter.
    .refine((u) => !URL.canParse(u) || (!new URL(u).username && !new URL(u).password), 'must not carry credentials (user:password@): put the key in api_keys')
    .optional(),
  api_keys: z.array(z.string().min(1)).min(1).max(10_000),
  models: z.array(modelId).min(1).max(1000),
  model_mapping: z.record(modelId, z.string().min(1)).optional(),
  priority: z.number().int().min(-1000).max(1000).optional(),
  weight: z.number().int().min(1).max(10_000).optional(),
  enabled: z.boolean().optional(),
  connect_timeout_ms: timeout.optional(),
  first_byte_timeout_ms: timeout.optional(),
  idle_timeout_ms: timeout.optional(),
  /** Per upstream key and model: the quota the provider grants each key. */
  key_limits: z.strictObject({ rpm: limit.optional(), tpm: limit.optional() }).nullable().optional(),
};

export const channelCreateSchema = z
  .strictObject(channelFields)
  .refine((c) => !needsBaseUrl(c.provider) || c.base_url, {
    error: (issue) => `base_url is required: the ${String((issue.input as { provider?: unknown }).provider)} provider has no default base URL`,
    path: ['base_url'],
  });
export const channelPatchSchema = z
  .strictObject(channelFields)
  .partial()
  .refine(atLeastOne, 'at least one field must be given');

/** A catalog model's edits: its fallback chain (the router checks the models exist). */
export const catalogModelPatchSchema = z
  .strictObject({
    fallbacks: keyFallbacksSchema,
    tier: z.enum(['economy', 'standard', 'premium']),
    strengths: z.partialRecord(z.enum(CATEGORIES), z.number().min(0).max(1)),
    output_factor: z.number().gt(0).max(100),
  })
  .partial()
  .refine(atLeastOne, 'at least one of fallbacks, tier, strengths, output_factor must be given');

/** `auto`'s prior for a task category. */
export const categoryPriorPatchSchema = z
  .strictObject({ gain: z.number().min(-1).max(1), classifier_weight: z.number().min(0).max(1), gain_per_doubling: z.number().min(0).max(0.25), output_tokens: z.number().int().min(1).max(1_000_000) })
  .partial()
  .refine(atLeastOne, 'at least one of gain, classifier_weight, gain_per_doubling, output_tokens must be given');

/** Which model a channel test asks (default: the channel's first). */
export const channelTestSchema = z.strictObject({ model: modelId.optional() });

export const priceSetSchema = z.strictObject({
  input_usd_per_mtok: usd,
  output_usd_per_mtok: usd,
  cached_input_usd_per_mtok: usd.optional(),
  // Optional prices (billing checks the pairs): service_tier "priority", cache writes, audio tokens.
  priority_input_usd_per_mtok: usd.optional(),
  priority_output_usd_per_mtok: usd.optional(),
  priority_cached_input_usd_per_mtok: usd.optional(),
  cache_write_usd_per_mtok: usd.optional(),
  cache_write_1h_usd_per_mtok: usd.optional(),
  audio_input_usd_per_mtok: usd.optional(),
  audio_output_usd_per_mtok: usd.optional(),
  effective_from: z.iso.datetime({ offset: true }).optional(),
});

export const usageQuerySchema = z.strictObject({
  account_id: z.string().optional(),
  key_id: z.string().optional(),
  model: z.string().min(1).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  group_by: z.enum(['model', 'key', 'day', 'hour']).optional(),
});

/** `GET /admin/v1/usage/parked`: query strings, so `all` is "true"/"false". */
export const parkedQuerySchema = z.strictObject({
  all: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).optional(),
});

const uuidText = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be an id (a UUID)');

/** `GET /admin/v1/requests`: query strings, so numbers are coerced (and must still be integers in range). */
export const requestLogQuerySchema = z.strictObject({
  account_id: uuidText.optional(),
  key_id: uuidText.optional(),
  model: z.string().min(1).max(256).optional(),
  status: z.coerce.number().int().min(100).max(599).optional(),
  error_code: z.string().min(1).max(100).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  after: z.string().min(1).max(400).optional(),
});

export const accountAdjustSchema = z.strictObject({
  kind: z.enum(['refund', 'adjustment']),
  amount_usd: z.string().regex(/^-?\d{1,12}(\.\d{1,9})?$/, 'must be a USD decimal string such as "-1.50"'),
  note: z.string().trim().min(1).max(500),
  request_id: z.string().max(100).optional(),
});
