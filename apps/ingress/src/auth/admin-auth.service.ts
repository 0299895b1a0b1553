import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { TfError } from '@tokenflow/contracts';
import { INGRESS_CONFIG, type IngressConfig } from '../config';

@Injectable()
export class AdminAuthService {
  private readonly expected: Buffer | null;

  constructor(@Inject(INGRESS_CONFIG) config: IngressConfig) {
    this.expected = config.TOKENFLOW_ADMIN_KEY ? digest(config.TOKENFLOW_ADMIN_KEY) : null;
  }

  /** Constant-time comparison of digests, so neither content nor length leaks through timing. */
  assertAdmin(authorization: string | undefined): void {
    if (!this.expected) {
      throw new TfError('invalid_admin_key', 'The admin API is disabled: set TOKENFLOW_ADMIN_KEY on ingress to enable it.');
    }
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token || !timingSafeEqual(digest(token), this.expected)) {
      throw new TfError('invalid_admin_key', 'Invalid admin key. Use Authorization: Bearer $TOKENFLOW_ADMIN_KEY.');
    }
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
