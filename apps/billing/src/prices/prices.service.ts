import { Injectable } from '@nestjs/common';
import { nanoToUsd, type PriceSetRequest, type PriceView, TfError, usdToNano } from '@tokenflow/contracts';
import { PriceBookService } from './price-book.service';
import type { PriceVersion } from './prices.repository';

const PER_MTOK = 1_000_000n;

/** The admin view of prices: USD per 1M tokens outside, exact nano-USD per token inside. */
@Injectable()
export class PricesService {
  constructor(private readonly book: PriceBookService) {}

  async get(model: string): Promise<PriceView> {
    const current = await this.book.priceAt(model);
    const versions = this.book.versions(model);
    if (!current && versions.length === 0) throw new TfError('not_found', `The model '${model}' has no price.`, { param: 'model' });
    const shown = current ?? versions[versions.length - 1];
    return { model, ...usdFields(shown), history: versions.map(usdFields) };
  }

  async set(req: PriceSetRequest): Promise<PriceView> {
    const input = perTokenNano(req.input_usd_per_mtok, 'input_usd_per_mtok');
    const output = perTokenNano(req.output_usd_per_mtok, 'output_usd_per_mtok');
    const cached = req.cached_input_usd_per_mtok === undefined ? null : perTokenNano(req.cached_input_usd_per_mtok, 'cached_input_usd_per_mtok');
    if (cached !== null && cached > input) {
      // Holds price the whole prompt at the input price, so a cached price above it could bill past a hold.
      throw new TfError('invalid_request', 'cached_input_usd_per_mtok cannot exceed input_usd_per_mtok.', { param: 'cached_input_usd_per_mtok' });
    }
    const effectiveFrom = req.effective_from ? new Date(req.effective_from) : new Date();
    if (Number.isNaN(effectiveFrom.getTime())) {
      throw new TfError('invalid_request', 'effective_from must be an ISO 8601 time.', { param: 'effective_from' });
    }
    await this.book.set({ model: req.model, effectiveFrom, inputNanoPerToken: input, outputNanoPerToken: output, cachedInputNanoPerToken: cached });
    return this.get(req.model);
  }
}

/** Prices are whole nano-USD per token: $0.14 per 1M tokens = 140. Finer prices are refused, not rounded. */
function perTokenNano(usdPerMtok: string, param: string): bigint {
  const nano = usdToNano(usdPerMtok);
  if (nano === null || nano % PER_MTOK !== 0n) {
    throw new TfError('invalid_request', `${param} must be a USD decimal with at most 6 decimal places (a whole nano-USD per token).`, { param });
  }
  return nano / PER_MTOK;
}

function usdFields(v: PriceVersion) {
  return {
    input_usd_per_mtok: nanoToUsd(v.inputNanoPerToken * PER_MTOK),
    output_usd_per_mtok: nanoToUsd(v.outputNanoPerToken * PER_MTOK),
    cached_input_usd_per_mtok: v.cachedInputNanoPerToken === null ? null : nanoToUsd(v.cachedInputNanoPerToken * PER_MTOK),
    effective_from: v.effectiveFrom.toISOString(),
  };
}
