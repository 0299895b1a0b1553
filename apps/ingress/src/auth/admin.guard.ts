import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AdminAuthService } from './admin-auth.service';

/** Every admin route, checked before its handler sees a parameter: `@UseGuards(AdminGuard)` on the controller. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly admin: AdminAuthService) {}

  canActivate(context: ExecutionContext): boolean {
    // Throws the admin-key error (401), rendered like every other error.
    this.admin.assertAdmin(context.switchToHttp().getRequest<FastifyRequest>().headers.authorization);
    return true;
  }
}
