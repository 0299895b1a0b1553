import { nanoToUsd, type PriceExtrasView, type PriceSetRequest, type PriceView, TfError, usdToNano } from '@tokenflow/contracts';
import { PRICE_EXTRAS, type PriceExtras } from './price-extras';
import type { PriceVersion } from './prices.repository';

const PER_MTOK = 1_000_000n;

/** Prices are whole nano-USD per token: $0.14 per 1M tokens = 140. Finer prices are refused, not rounded. */
export function perTokenNano(usdPerMtok: string, param: string): bigint {
  const nano = usdToNano(usdPerMtok);
  if (nano === null || nano % PER_MTOK !== 0n) {
    throw new TfError('invalid_request', `${param} must be a USD decimal with at most 3 decimal places (a whole nano-USD per token).`, { param });
  }
  return nano / PER_MTOK;
}

/** An admin's price change (USD per 1M tokens) as the version to store; `now` when it names no effective time. */
export function priceVersionOf(req: PriceSetRequest, now = new Date()): PriceVersion {
  const input = perTokenNano(req.input_usd_per_mtok, 'input_usd_per_mtok');
  const output = perTokenNano(req.output_usd_per_mtok, 'output_usd_per_mtok');
  const cached = req.cached_input_usd_per_mtok === undefined ? null : perTokenNano(req.cached_input_usd_per_mtok, 'cached_input_usd_per_mtok');
  if (cached !== null && cached > input) {
    // Holds price the whole prompt at the input price, so a cached price above it could bill past a hold.
    throw new TfError('invalid_request', 'cached_input_usd_per_mtok cannot exceed input_usd_per_mtok.', { param: 'cached_input_usd_per_mtok' });
  }
  const effectiveFrom = req.effective_from ? new Date(req.effective_from) : now;
  if (Number.isNaN(effectiveFrom.getTime())) {
    throw new TfError('invalid_request', 'effective_from must be an ISO 8601 time.', { param: 'effective_from' });
  }
  return { model: req.model, effectiveFrom, inputNanoPerToken: input, outputNanoPerToken: output, cachedInputNanoPerToken: cached, ...extrasOf(req) };
}

/** The optional prices of a price change; priority prices come as an input and output pair. */
function extrasOf(req: PriceSetRequest): PriceExtras {
  const extras: PriceExtras = {};
  for (const e of PRICE_EXTRAS) {
    const usd = req[e.api];
    if (usd !== undefined && usd !== null) extras[e.field] = perTokenNano(usd, e.api);
  }
  const { priorityInputNanoPerToken: pIn, priorityOutputNanoPerToken: pOut, priorityCachedInputNanoPerToken: pCached } = extras;
  if ((pIn == null) !== (pOut == null)) {
    const missing = pIn == null ? 'priority_input_usd_per_mtok' : 'priority_output_usd_per_mtok';
    throw new TfError('invalid_request', 'priority_input_usd_per_mtok and priority_output_usd_per_mtok are set together.', { param: missing });
  }
  if (pCached != null && (pIn == null || pCached > pIn)) {
    throw new TfError('invalid_request', 'priority_cached_input_usd_per_mtok needs priority_input_usd_per_mtok and cannot exceed it.', {
      param: 'priority_cached_input_usd_per_mtok',
    });
  }
  return extras;
}

const usdOf = (nano: bigint | null | undefined): string | null => (nano === null || nano === undefined ? null : nanoToUsd(nano * PER_MTOK));

/** A stored version as the admin API shows it: USD per 1M tokens; a price the model does not have is null. */
export function usdPerMtokView(v: PriceVersion): PriceVersionView {
  const extras = Object.fromEntries(PRICE_EXTRAS.map((e) => [e.api, usdOf(v[e.field])])) as Required<PriceExtrasView>;
  return {
    input_usd_per_mtok: nanoToUsd(v.inputNanoPerToken * PER_MTOK),
    output_usd_per_mtok: nanoToUsd(v.outputNanoPerToken * PER_MTOK),
    cached_input_usd_per_mtok: usdOf(v.cachedInputNanoPerToken),
    ...extras,
    effective_from: v.effectiveFrom.toISOString(),
  };
}

export type PriceVersionView = Omit<PriceView, 'model' | 'history'> & Required<PriceExtrasView>;
