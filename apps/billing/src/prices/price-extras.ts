import type { PriceExtrasView } from '@tokenflow/contracts';

/**
 * The prices a version may have beyond input, output and cached input, each optional: the admin API's field (USD per
 * 1M tokens), the version's field (nano-USD per token) and the column of `billing.prices`. One list, so the API,
 * the repository and the view never disagree on them.
 */
export const PRICE_EXTRAS = [
  { api: 'priority_input_usd_per_mtok', field: 'priorityInputNanoPerToken', column: 'priority_input_nano_per_token' },
  { api: 'priority_output_usd_per_mtok', field: 'priorityOutputNanoPerToken', column: 'priority_output_nano_per_token' },
  { api: 'priority_cached_input_usd_per_mtok', field: 'priorityCachedInputNanoPerToken', column: 'priority_cached_input_nano_per_token' },
  { api: 'cache_write_usd_per_mtok', field: 'cacheWriteNanoPerToken', column: 'cache_write_nano_per_token' },
  { api: 'cache_write_1h_usd_per_mtok', field: 'cacheWrite1hNanoPerToken', column: 'cache_write_1h_nano_per_token' },
  { api: 'audio_input_usd_per_mtok', field: 'audioInputNanoPerToken', column: 'audio_input_nano_per_token' },
  { api: 'audio_output_usd_per_mtok', field: 'audioOutputNanoPerToken', column: 'audio_output_nano_per_token' },
] as const satisfies readonly { api: keyof PriceExtrasView; field: string; column: string }[];

export type PriceExtraField = (typeof PRICE_EXTRAS)[number]['field'];

/** A version's extra prices; absent or null = the model is not offered (or not charged extra) that way. */
export type PriceExtras = Partial<Record<PriceExtraField, bigint | null>>;
