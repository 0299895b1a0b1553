import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The provider list lives in code, derived from the adapter's provider folders (decision 0010): the CHECK that
 * copied it into the schema goes, so adding a provider is a folder, not a migration. Ingress and the router
 * validate `provider` against the list on every channel write.
 */
export class ProviderListInCode1764800000000 implements MigrationInterface {
  name = 'ProviderListInCode1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE routing.channels DROP CONSTRAINT IF EXISTS channels_provider_check`);
  }

  async down(q: QueryRunner): Promise<void> {
    // NOT VALID: channels of providers added since stay readable; new writes are held to the old list again.
    await q.query(`
      ALTER TABLE routing.channels ADD CONSTRAINT channels_provider_check
        CHECK (provider IN ('deepseek','moonshot','zhipu','qwen','openai','anthropic','openai-compatible')) NOT VALID`);
  }
}
