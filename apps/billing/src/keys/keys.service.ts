import { Injectable } from '@nestjs/common';
import {
  generateApiKey,
  hashApiKey,
  type KeyCreateReply,
  type KeyCreateRequest,
  type KeyPrincipal,
  type KeyRevokeReply,
  type KeyUpdateRequest,
  type KeyView,
  mergeRateLimits,
  NO_RATE_LIMITS,
  toRateLimits,
  Subjects,
  nanoToUsd,
  TfError,
  usdToNano,
} from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { AccountsRepository } from '../accounts/accounts.repository';
import { isUuid } from '../accounts/account-ids';
import type { ApiKeyEntity } from '../db/entities';
import { KeyIndex } from './key-index';
import { KeysRepository } from './keys.repository';

@Injectable()
export class KeysService {
  constructor(
    private readonly keys: KeysRepository,
    private readonly accounts: AccountsRepository,
    private readonly bus: NatsBus,
    private readonly index: KeyIndex,
  ) {}

  async create(req: KeyCreateRequest): Promise<KeyCreateReply> {
    if (!isUuid(req.account_id) || !(await this.accounts.findById(req.account_id))) {
      throw new TfError('not_found', `No account with id '${req.account_id}'.`, { param: 'account_id' });
    }
    const budgetNano = req.budget_usd === undefined ? null : usdToNano(req.budget_usd);
    if (budgetNano === 0n || (req.budget_usd !== undefined && budgetNano === null)) {
      throw new TfError('invalid_request', 'budget_usd must be a positive USD decimal string such as "25.00".', { param: 'budget_usd' });
    }
    const expiresAt = req.expires_at ? new Date(req.expires_at) : null;
    if (expiresAt && Number.isNaN(expiresAt.getTime())) {
      throw new TfError('invalid_request', 'expires_at must be an ISO 8601 time.', { param: 'expires_at' });
    }
    const key = generateApiKey();
    const keyHash = hashApiKey(key);
    const row = await this.keys.insert({
      accountId: req.account_id,
      keyHash,
      keyPrefix: key.slice(0, 7),
      name: req.name ?? null,
      models: req.models && req.models.length ? [...new Set(req.models)] : null,
      // Unlike `models`, an empty chain is kept: it means "no fallback", not "the default".
      fallbacks: req.fallbacks ?? null,
      rateLimits: mergeRateLimits(null, { ...req, rpm: req.rpm !== undefined ? req.rpm : (req.rpm_limit ?? null) }),
      budgetNano,
      budgetPeriod: budgetNano === null ? null : (req.budget_period ?? 'monthly'),
      expiresAt,
      logContent: req.log_content ?? false,
    });
    this.index.add(keyHash);
    // Replicas may hold a negative cache entry for this hash (someone tried it before it existed).
    this.bus.emit(Subjects.billingKeyChanged, { keyId: row.id, keyHash, change: 'created' });
    return { ...keyView(row), key };
  }

  /**
   * New rate limits, fallbacks or content logging for a key, live on every replica at once (the key-changed
   * broadcast drops cached principals, which carry them).
   */
  async update(req: KeyUpdateRequest): Promise<KeyView> {
    const row = isUuid(req.id) ? await this.keys.findById(req.id) : null;
    if (!row || row.revokedAt) throw new TfError('not_found', `No API key with id '${req.id}'.`, { param: 'id' });
    await this.keys.setSettings(row.id, mergeRateLimits(row.rateLimits, req), req.fallbacks === undefined ? row.fallbacks : req.fallbacks, req.log_content ?? row.logContent);
    this.bus.emit(Subjects.billingKeyChanged, { keyId: row.id, keyHash: row.keyHash.trim(), change: 'updated' });
    return keyView((await this.keys.findById(row.id))!);
  }

  async revoke(id: string): Promise<KeyRevokeReply> {
    const row = isUuid(id) ? await this.keys.revoke(id) : null;
    if (!row) throw new TfError('not_found', `No API key with id '${id}'.`, { param: 'id' });
    this.bus.emit(Subjects.billingKeyChanged, { keyId: row.id, keyHash: row.keyHash.trim(), change: 'revoked' });
    return { id: row.id, revoked: true };
  }

  async authenticate(keyHash: string): Promise<KeyPrincipal | null> {
    // A key nobody issued costs no query: random keys must not become a flood of them.
    if (!this.index.mayExist(keyHash)) return null;
    const row = await this.keys.findActiveByHash(keyHash);
    if (!row) return null;
    return {
      keyId: row.id,
      accountId: row.accountId,
      name: row.name,
      models: row.models,
      fallbacks: row.fallbacks,
      limits: toRateLimits(row.rateLimits) ?? { rpm: null, tpm: null, maxConcurrency: null, models: null },
      accountLimits: toRateLimits((await this.accounts.findById(row.accountId))?.rateLimits ?? null),
      expiresAt: row.expiresAt?.toISOString() ?? null,
      budget: row.budgetNano === null || row.budgetPeriod === null ? null : { limitNano: row.budgetNano.toString(), period: row.budgetPeriod },
      logContent: row.logContent,
    };
  }
}

function keyView(row: ApiKeyEntity): KeyView {
  return {
    id: row.id,
    account_id: row.accountId,
    name: row.name,
    models: row.models,
    fallbacks: row.fallbacks,
    rate_limits: row.rateLimits ?? NO_RATE_LIMITS,
    budget_usd: row.budgetNano === null ? null : nanoToUsd(row.budgetNano),
    budget_period: row.budgetPeriod,
    expires_at: row.expiresAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    log_content: row.logContent,
  };
}
