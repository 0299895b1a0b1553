import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ChannelKeyLimits, ContentInput, Provider } from '@tokenflow/contracts';

@Entity({ schema: 'routing', name: 'models' })
export class ModelEntity {
  @PrimaryColumn('text') id: string;
  @Column('text', { name: 'owned_by' }) ownedBy: string;
  @Column('int', { name: 'context_window', nullable: true }) contextWindow: number | null;
  @Column('int', { name: 'max_output_tokens', nullable: true }) maxOutputTokens: number | null;
  /** What it takes besides text: `image`, `audio`, `file` (null: unknown, nothing refused). */
  @Column('text', { array: true, nullable: true }) inputs: ContentInput[] | null;
  /** Where a request goes when no channel of this model can serve it, in order (a key's or a request's chain replaces it). */
  @Column('text', { array: true, default: '{}' }) fallbacks: string[];
  /** `auto`: economy, standard or premium. */
  @Column('text', { default: 'standard' }) tier: ModelTier;
  /** `auto`: expected quality per task category, 0–1 (a category not named counts as the tier's default). */
  @Column('jsonb', { default: {} }) strengths: Record<string, number>;
  /** `auto`: output tokens spent per answered token (a reasoning model thinks first). */
  @Column('real', { name: 'output_factor', default: 1 }) outputFactor: number;
  /** `chat` (chat, completions, `auto`) or `embedding` (embeddings only; `auto` never picks it). */
  @Column('text', { default: 'chat' }) type: ModelType;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity({ schema: 'routing', name: 'channels' })
export class ChannelEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text') provider: Provider;
  @Column('text', { name: 'base_url' }) baseUrl: string;
  @Column('text', { name: 'api_keys', array: true }) apiKeys: string[];
  @Column('text', { array: true }) models: string[];
  @Column('jsonb', { name: 'model_mapping', default: {} }) modelMapping: Record<string, string>;
  @Column('int', { default: 0 }) priority: number;
  @Column('int', { default: 1 }) weight: number;
  @Column('boolean', { default: true }) enabled: boolean;
  @Column('int', { name: 'connect_timeout_ms' }) connectTimeoutMs: number;
  @Column('int', { name: 'first_byte_timeout_ms' }) firstByteTimeoutMs: number;
  @Column('int', { name: 'idle_timeout_ms' }) idleTimeoutMs: number;
  @Column('jsonb', { name: 'key_limits', nullable: true }) keyLimits: ChannelKeyLimits | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** `auto`'s prior for a task category the classifier's data does not cover. */
@Entity({ schema: 'routing', name: 'category_priors' })
export class CategoryPriorEntity {
  @PrimaryColumn('text') category: string;
  /** Expected gain of a premium model, −1…1, blended with the classifier's. */
  @Column('real') gain: number;
  /** How much the classifier's gain counts against this prior (0–1): high where its training data covers the category. */
  @Column('real', { name: 'classifier_weight' }) classifierWeight: number;
  /** Added to the gain per doubling of the prompt past 256 tokens, at most four times (a large code task). */
  @Column('real', { name: 'gain_per_doubling' }) gainPerDoubling: number;
  /** Expected answer length when the request sets no `max_tokens`. */
  @Column('int', { name: 'output_tokens' }) outputTokens: number;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

export type ModelTier = 'economy' | 'standard' | 'premium';
export type ModelType = 'chat' | 'embedding';

export const routingEntities = [ModelEntity, ChannelEntity, CategoryPriorEntity];
