import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PriceEntity } from '../db/entities';

export interface Price {
  inputNanoPerToken: bigint;
  outputNanoPerToken: bigint;
}

@Injectable()
export class PricesRepository {
  constructor(private readonly db: DataSource) {}

  async all(): Promise<Map<string, Price>> {
    const rows = await this.db.getRepository(PriceEntity).find();
    return new Map(rows.map((r) => [r.model, { inputNanoPerToken: r.inputNanoPerToken, outputNanoPerToken: r.outputNanoPerToken }]));
  }
}
