import { nanoToUsd, type PriceSetRequest, TfError, usdToNano } from '@tokenflow/contracts';
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
  return { model: req.model, effectiveFrom, inputNanoPerToken: input, outputNanoPerToken: output, cachedInputNanoPerToken: cached };
}

/** A stored version as the admin API shows it: USD per 1M tokens. */
export function usdPerMtokView(v: PriceVersion) {
  return {
    input_usd_per_mtok: nanoToUsd(v.inputNanoPerToken * PER_MTOK),
    output_usd_per_mtok: nanoToUsd(v.outputNanoPerToken * PER_MTOK),
    cached_input_usd_per_mtok: v.cachedInputNanoPerToken === null ? null : nanoToUsd(v.cachedInputNanoPerToken * PER_MTOK),
    effective_from: v.effectiveFrom.toISOString(),
  };
}
