import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * JSON logs with the service name on every line. Redaction is a second line of defence: code never logs
 * credentials, but a stray object with an `apiKey`/`authorization` field is masked rather than leaked.
 */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    redact: {
      paths: ['apiKey', '*.apiKey', 'api_keys', '*.api_keys', 'authorization', '*.authorization', 'headers.authorization', 'key', '*.key'],
      censor: '[redacted]',
    },
  });
}

/**
 * Logs at most once per `everyMs` (an outage would otherwise log once per request); the count of what it held
 * back rides on the next line.
 */
export function throttledLog(everyMs: number): (write: (suppressed: number) => void) => void {
  let last = 0;
  let suppressed = 0;
  return (write) => {
    const now = Date.now();
    if (now - last < everyMs) {
      suppressed++;
      return;
    }
    last = now;
    write(suppressed);
    suppressed = 0;
  };
}
