import { baseEnvSchema, loadServiceConfig } from '@tokenflow/config';
import { Subjects } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';

/** `npm run billing:verify`: asks billing to check the ledger invariants; exit 1 if any fails. */
async function main(): Promise<void> {
  const config = loadServiceConfig('billing:verify', baseEnvSchema.pick({ NATS_URL: true, TF_NAMESPACE: true }));
  const bus = await NatsBus.connect({ url: config.NATS_URL, name: 'billing-verify', namespace: config.TF_NAMESPACE });
  try {
    const report = await bus.request(Subjects.billingLedgerVerify, {}, { timeoutMs: 120_000 });
    console.log(JSON.stringify(report, null, 2));
    console.log(report.ok ? 'ledger OK' : 'LEDGER INVARIANT VIOLATED');
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await bus.close();
  }
}

main().catch((err: Error) => {
  console.error(`billing:verify failed: ${err.message}`);
  process.exit(1);
});
