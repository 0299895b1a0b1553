import { baseEnvSchema, databaseEnvSchema, redisEnvSchema } from '@tokenflow/config';
import { DurableConsumers } from '@tokenflow/contracts';

/** Facts the deploy files must agree with, read from the code that defines them (not repeated in the specs). */

/** NATS_URL, REDIS_URL and DATABASE_URL as the services default them (where `npm start` looks). */
export function dependencyDefaults(): { NATS_URL: string; REDIS_URL: string; DATABASE_URL: string } {
  const { NATS_URL } = baseEnvSchema.parse({});
  const { REDIS_URL } = redisEnvSchema.parse({});
  const { DATABASE_URL } = databaseEnvSchema.parse({});
  return { NATS_URL, REDIS_URL, DATABASE_URL };
}

/** The durable consumer billing settles usage with (its lag is billing's autoscaling signal). */
export const SETTLEMENT_CONSUMER = DurableConsumers.billingSettlement.durable;
