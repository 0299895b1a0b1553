import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PRICE_EXTRAS, type PriceExtras } from './price-extras';

export interface PriceVersion extends PriceExtras {
  model: string;
  effectiveFrom: Date;
  inputNanoPerToken: bigint;
  outputNanoPerToken: bigint;
  cachedInputNanoPerToken: bigint | null;
}

const big = (v: unknown): bigint | null => (v === null || v === undefined ? null : BigInt(v as string));

const EXTRA_COLUMNS = PRICE_EXTRAS.map((e) => e.column);

@Injectable()
export class PricesRepository {
  constructor(private readonly db: DataSource) {}

  async all(): Promise<PriceVersion[]> {
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT model, effective_from, input_nano_per_token, output_nano_per_token, cached_input_nano_per_token, ${EXTRA_COLUMNS.join(', ')}
         FROM billing.prices ORDER BY model ASC, effective_from DESC`,
    );
    return rows.map((r) => {
      const v: PriceVersion = {
        model: r.model as string,
        effectiveFrom: new Date(r.effective_from as string),
        inputNanoPerToken: BigInt(r.input_nano_per_token as string),
        outputNanoPerToken: BigInt(r.output_nano_per_token as string),
        cachedInputNanoPerToken: big(r.cached_input_nano_per_token),
      };
      for (const e of PRICE_EXTRAS) {
        const price = big(r[e.column]);
        if (price !== null) v[e.field] = price;
      }
      return v;
    });
  }

  /** A price change is a new version; an identical effective time replaces that version (all its prices). */
  async upsert(v: PriceVersion): Promise<void> {
    const extras = PRICE_EXTRAS.map((e) => v[e.field]?.toString() ?? null);
    const params = EXTRA_COLUMNS.map((_, i) => `$${6 + i}`).join(', ');
    const updates = EXTRA_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ');
    await this.db.query(
      `INSERT INTO billing.prices (model, effective_from, input_nano_per_token, output_nano_per_token, cached_input_nano_per_token, ${EXTRA_COLUMNS.join(', ')})
       VALUES ($1, $2, $3, $4, $5, ${params})
       ON CONFLICT (model, effective_from) DO UPDATE
         SET input_nano_per_token = EXCLUDED.input_nano_per_token, output_nano_per_token = EXCLUDED.output_nano_per_token,
             cached_input_nano_per_token = EXCLUDED.cached_input_nano_per_token, ${updates}, updated_at = now()`,
      [v.model, v.effectiveFrom, v.inputNanoPerToken.toString(), v.outputNanoPerToken.toString(), v.cachedInputNanoPerToken?.toString() ?? null, ...extras],
    );
  }
}
