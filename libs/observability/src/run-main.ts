import { createLogger } from './logger';

/**
 * Entry-point wrapper: logs one fatal line (no stack trace dump to stdout for a config error; the config
 * loader has already printed its lines) and exits non-zero if the service cannot start.
 */
export function runMain(service: string, start: () => Promise<unknown>): void {
  const log = createLogger(service);
  start()
    .then(() => log.info(`${service} ready`))
    .catch((err: unknown) => {
      log.fatal({ err }, `${service} failed to start`);
      process.exit(1);
    });
}
