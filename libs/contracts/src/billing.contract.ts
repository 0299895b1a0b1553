/** The principal an API key authenticates as. */
export interface KeyPrincipal {
  keyId: string;
  accountId: string;
  name: string | null;
  /** null = every model. */
  models: string[] | null;
  /** Requests per minute; null = the service default. */
  rpmLimit: number | null;
}

export interface AuthRequest {
  keyHash: string;
}
/** `principal: null` = no such active key (the caller caches that briefly). */
export interface AuthReply {
  principal: KeyPrincipal | null;
}

export interface HoldRequest {
  requestId: string;
  accountId: string;
  keyId: string;
  model: string;
}
export interface HoldReply {
  granted: true;
}

export interface KeyChangedEvent {
  keyId: string;
  keyHash: string;
  change: 'created' | 'revoked';
}

export interface AccountView {
  id: string;
  name: string;
  balance_usd: string;
  created_at: string;
}
export interface AccountCreateRequest {
  name: string;
  credit_usd?: string;
}
export interface AccountGetRequest {
  id: string;
}

export interface KeyView {
  id: string;
  account_id: string;
  name: string | null;
  models: string[] | null;
  rpm_limit: number | null;
  created_at: string;
}
export interface KeyCreateRequest {
  account_id: string;
  name?: string;
  models?: string[];
  rpm_limit?: number;
}
/** The only place the plaintext key ever appears. */
export interface KeyCreateReply extends KeyView {
  key: string;
}
export interface KeyRevokeRequest {
  id: string;
}
export interface KeyRevokeReply {
  id: string;
  revoked: true;
}
