import { createLogger } from './logger';
import { announcedOpsUrl } from './ops-server';

/** The message a supervised service sends its parent (tools/start) over IPC once it serves traffic. */
export interface ReadyMessage {
  type: 'tokenflow:ready';
  service: string;
  /** Where it serves HTTP, for a service that does: a launcher learns the port from it instead of presuming one. */
  url?: string;
  /** Where its ops surface (`/healthz`, `/readyz`, `/metrics`) listens, for a service with its own (see `OpsServer`). */
  opsUrl?: string;
}

/**
 * Entry-point wrapper: logs one fatal line and exits non-zero if the service cannot start; once it has started,
 * logs it (with `readyFields`, and `opsUrl` when it started an ops server) and tells a supervising parent over IPC,
 * whatever the LOG_LEVEL.
 */
export function runMain(service: string, start: () => Promise<unknown>, readyFields: () => Record<string, unknown> = () => ({})): void {
  const log = createLogger(service);
  start()
    .then(() => {
      const opsUrl = announcedOpsUrl();
      const fields: Record<string, unknown> = { ...readyFields(), ...(opsUrl ? { opsUrl } : {}) };
      log.info(fields, `${service} ready`);
      const ready: ReadyMessage = { type: 'tokenflow:ready', service, ...(typeof fields.url === 'string' ? { url: fields.url } : {}), ...(opsUrl ? { opsUrl } : {}) };
      process.send?.(ready);
    })
    .catch((err: unknown) => {
      log.fatal({ err }, `${service} failed to start`);
      process.exit(1);
    });
}
