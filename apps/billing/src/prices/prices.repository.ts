import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PriceEntity } from '../db/entities';

export interface PriceVersion {
  model: string;
  effectiveFrom: Date;
  inputNanoPerToken: bigint;
  outputNanoPerToken: bigint;
  cachedInputNanoPerToken: bigint | null;
}

@Injectable()
export class PricesRepository {
  constructor(private readonly db: DataSource) {}

  async all(): Promise<PriceVersion[]> {
    const rows = await this.db.getRepository(PriceEntity).find({ order: { model: 'ASC', effectiveFrom: 'DESC' } });
    return rows.map((r) => ({
      model: r.model,
      effectiveFrom: r.effectiveFrom,
      inputNanoPerToken: r.inputNanoPerToken,
      outputNanoPerToken: r.outputNanoPerToken,
      cachedInputNanoPerToken: r.cachedInputNanoPerToken,
    }));
  }

  /** A price change is a new version; an identical effective time replaces that version. */
  async upsert(v: PriceVersion): Promise<void> {
    await this.db.query(
      `INSERT INTO billing.prices (model, effective_from, input_nano_per_token, output_nano_per_token, cached_input_nano_per_token)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (model, effective_from) DO UPDATE
         SET input_nano_per_token = EXCLUDED.input_nano_per_token, output_nano_per_token = EXCLUDED.output_nano_per_token,
             cached_input_nano_per_token = EXCLUDED.cached_input_nano_per_token, updated_at = now()`,
      [v.model, v.effectiveFrom, v.inputNanoPerToken.toString(), v.outputNanoPerToken.toString(), v.cachedInputNanoPerToken?.toString() ?? null],
    );
  }
}
