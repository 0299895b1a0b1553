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

export const routingEntities = [ModelEntity, ChannelEntity];
