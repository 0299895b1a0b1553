import { createLogger } from './logger';

/** The message a supervised service sends its parent (tools/start) over IPC once it serves traffic. */
export interface ReadyMessage {
  type: 'tokenflow:ready';
  service: string;
}

/**
 * Entry-point wrapper: logs one fatal line and exits non-zero if the service cannot start; once it has started,
 * logs it and tells a supervising parent over IPC (independent of LOG_LEVEL).
 */
export function runMain(service: string, start: () => Promise<unknown>, readyFields: () => Record<string, unknown> = () => ({})): void {
  const log = createLogger(service);
  start()
    .then(() => {
      log.info(readyFields(), `${service} ready`);
      const ready: ReadyMessage = { type: 'tokenflow:ready', service };
      process.send?.(ready);
    })
    .catch((err: unknown) => {
      log.fatal({ err }, `${service} failed to start`);
      process.exit(1);
    });
}
