import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RequestLogService } from '../request-log/request-log.service';
import { dialectFor } from './wire.registry';

/**
 * Before every provider route: the request is logged (before auth, so tests see exactly what a misconfigured
 * client sent), then checked for the credential that provider takes (its own 401 otherwise).
 */
@Injectable()
export class ProviderGate implements CanActivate {
  constructor(private readonly requestLog: RequestLogService) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    this.requestLog.record(req);
    dialectFor(req.url).authenticate(req.headers);
    return true;
  }
}
