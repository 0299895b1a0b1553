import { baseEnvSchema, databaseEnvSchema } from '@tokenflow/config';

export const billingEnvSchema = baseEnvSchema.extend(databaseEnvSchema.shape);
export type BillingConfig = ReturnType<typeof billingEnvSchema.parse>;
export const BILLING_CONFIG = Symbol('BILLING_CONFIG');
