import type { RateLimitsView } from '@tokenflow/contracts';
import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** bigint columns come back from pg as strings; money stays bigint in code. */
const bigintTransformer = {
  to: (v: bigint | null | undefined) => (v === null || v === undefined ? v : v.toString()),
  from: (v: string | null) => (v === null ? null : BigInt(v)),
};

@Entity({ schema: 'billing', name: 'accounts' })
export class AccountEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('bigint', { name: 'balance_nano', transformer: bigintTransformer }) balanceNano: bigint;
  @Column('bigint', { name: 'credit_limit_nano', transformer: bigintTransformer }) creditLimitNano: bigint;
  @Column('bigint', { transformer: bigintTransformer }) version: bigint;
  @Column('jsonb', { name: 'rate_limits', nullable: true }) rateLimits: RateLimitsView | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity({ schema: 'billing', name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'account_id' }) accountId: string;
  @Column('text', { name: 'key_hash' }) keyHash: string;
  @Column('text', { name: 'key_prefix' }) keyPrefix: string;
  @Column('text', { nullable: true }) name: string | null;
  @Column('text', { array: true, nullable: true }) models: string[] | null;
  /** null = the catalog's chain; `[]` = no fallback. */
  @Column('text', { array: true, nullable: true }) fallbacks: string[] | null;
  @Column('jsonb', { name: 'rate_limits', nullable: true }) rateLimits: RateLimitsView | null;
  @Column('bigint', { name: 'budget_nano', nullable: true, transformer: bigintTransformer }) budgetNano: bigint | null;
  @Column('text', { name: 'budget_period', nullable: true }) budgetPeriod: 'daily' | 'monthly' | 'total' | null;
  @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  /** The request log keeps this key's request bodies and answers (decision 0020). */
  @Column('boolean', { name: 'log_content', default: false }) logContent: boolean;
}

@Entity({ schema: 'billing', name: 'prices' })
export class PriceEntity {
  @PrimaryColumn('text') model: string;
  @PrimaryColumn('timestamptz', { name: 'effective_from' }) effectiveFrom: Date;
  @Column('bigint', { name: 'input_nano_per_token', transformer: bigintTransformer }) inputNanoPerToken: bigint;
  @Column('bigint', { name: 'output_nano_per_token', transformer: bigintTransformer }) outputNanoPerToken: bigint;
  @Column('bigint', { name: 'cached_input_nano_per_token', nullable: true, transformer: bigintTransformer }) cachedInputNanoPerToken: bigint | null;
}

@Entity({ schema: 'billing', name: 'ledger_entries' })
export class LedgerEntryEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column('text', { name: 'idempotency_key' }) idempotencyKey: string;
  @Column('uuid', { name: 'account_id' }) accountId: string;
  @Column('text') kind: 'top_up' | 'hold' | 'release' | 'usage' | 'refund' | 'adjustment';
  @Column('bigint', { name: 'posting_nano', transformer: bigintTransformer }) postingNano: bigint;
  @Column('bigint', { name: 'amount_nano', transformer: bigintTransformer }) amountNano: bigint;
  @Column('text', { name: 'request_id', nullable: true }) requestId: string | null;
  @Column('uuid', { name: 'key_id', nullable: true }) keyId: string | null;
  @Column('text', { nullable: true }) model: string | null;
  @Column('int', { name: 'prompt_tokens', default: 0 }) promptTokens: number;
  @Column('int', { name: 'completion_tokens', default: 0 }) completionTokens: number;
  /** Usage of an `auto` request: the classifier's task category (what the output-usage rollup groups by). */
  @Column('text', { nullable: true }) category: string | null;
  /** Usage: how the attempt ended (`ok`, `error`, `cancelled`); null before it was recorded. */
  @Column('text', { nullable: true }) outcome: 'ok' | 'error' | 'cancelled' | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

export const billingEntities = [AccountEntity, ApiKeyEntity, PriceEntity, LedgerEntryEntity];
