import { Injectable } from '@nestjs/common';
import { type PriceSetRequest, type PriceView, TfError } from '@tokenflow/contracts';
import { PriceBookService } from './price-book.service';
import { priceVersionOf, usdPerMtokView } from './price-units';

/** The admin view of prices: USD per 1M tokens outside, exact nano-USD per token inside. */
@Injectable()
export class PricesService {
  constructor(private readonly book: PriceBookService) {}

  async get(model: string): Promise<PriceView> {
    const current = await this.book.priceAt(model);
    const versions = this.book.versions(model);
    if (!current && versions.length === 0) throw new TfError('not_found', `The model '${model}' has no price.`, { param: 'model' });
    const shown = current ?? versions[versions.length - 1];
    return { model, ...usdPerMtokView(shown), history: versions.map(usdPerMtokView) };
  }

  async set(req: PriceSetRequest): Promise<PriceView> {
    await this.book.set(priceVersionOf(req));
    return this.get(req.model);
  }
}
