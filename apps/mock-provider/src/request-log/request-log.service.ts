import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { maskSecret } from '../http/api-key';

export const REQUEST_LOG_CAPACITY = 100;
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'api-key']);

export interface LoggedRequest {
  path: string;
  model: unknown;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** The last chat requests as received, for tests asserting what a gateway actually sent upstream. */
@Injectable()
export class RequestLogService {
  private readonly entries: LoggedRequest[] = [];

  record(req: FastifyRequest): void {
    const body = req.body;
    const model = typeof body === 'object' && body !== null ? (body as { model?: unknown }).model : undefined;
    this.entries.push({ path: req.url, model: model ?? null, headers: maskHeaders(req.headers), body: body ?? null });
    if (this.entries.length > REQUEST_LOG_CAPACITY) this.entries.shift();
  }

  /** Oldest first. */
  list(): readonly LoggedRequest[] {
    return this.entries;
  }

  clear(): void {
    this.entries.length = 0;
  }
}

export function maskHeaders(headers: FastifyRequest['headers']): LoggedRequest['headers'] {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      CREDENTIAL_HEADERS.has(name) && typeof value === 'string' ? maskCredential(value) : value,
    ]),
  );
}

/** `Bearer sk-abc…wxyz` → `Bearer ***wxyz`: the scheme stays readable, the secret does not. */
function maskCredential(value: string): string {
  const match = /^(\S+\s+)(\S.*)$/.exec(value);
  return match ? `${match[1]}${maskSecret(match[2])}` : maskSecret(value);
}
