import { Injectable } from '@nestjs/common';
import type { RateLimitsView } from '@tokenflow/contracts';
import { DataSource } from 'typeorm';
import { ApiKeyEntity } from '../db/entities';

export interface NewKey {
  accountId: string;
  keyHash: string;
  keyPrefix: string;
  name: string | null;
  models: string[] | null;
  fallbacks: string[] | null;
  rateLimits: RateLimitsView;
  budgetNano: bigint | null;
  budgetPeriod: 'daily' | 'monthly' | 'total' | null;
  expiresAt: Date | null;
  logContent: boolean;
}

@Injectable()
export class KeysRepository {
  constructor(private readonly db: DataSource) {}

  async insert(k: NewKey): Promise<ApiKeyEntity> {
    const repo = this.db.getRepository(ApiKeyEntity);
    return repo.save(repo.create({ ...k, revokedAt: null }));
  }

  findById(id: string): Promise<ApiKeyEntity | null> {
    return this.db.getRepository(ApiKeyEntity).findOneBy({ id });
  }

  findActiveByHash(keyHash: string): Promise<ApiKeyEntity | null> {
    return this.db
      .getRepository(ApiKeyEntity)
      .createQueryBuilder('k')
      .where('k.key_hash = :keyHash AND k.revoked_at IS NULL', { keyHash })
      .getOne();
  }

  /** Every live key's hash (the key index; a few dozen bytes a key). */
  async activeHashes(): Promise<string[]> {
    const rows: { h: string }[] = await this.db.query(`SELECT trim(key_hash) AS h FROM billing.api_keys WHERE revoked_at IS NULL`);
    return rows.map((r) => r.h);
  }

  /** One statement, so a cached principal is never rebuilt from half an update. */
  async setSettings(id: string, rateLimits: RateLimitsView, fallbacks: string[] | null, logContent: boolean): Promise<void> {
    await this.db.query(`UPDATE billing.api_keys SET rate_limits = $2, fallbacks = $3, log_content = $4 WHERE id = $1`, [id, JSON.stringify(rateLimits), fallbacks, logContent]);
  }

  /** Returns the revoked key (its hash is needed to invalidate caches), or null if there was none. */
  async revoke(id: string): Promise<ApiKeyEntity | null> {
    await this.db.query(`UPDATE billing.api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [id]);
    return this.db.getRepository(ApiKeyEntity).findOneBy({ id });
  }
}
