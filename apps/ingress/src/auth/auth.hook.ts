import type { KeyPrincipal } from '@tokenflow/contracts';
import { TfError } from '@tokenflow/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiSurfaceOf } from '../gateway/formats/api-errors';
import { sendError } from '../http/error-response';
import { callContext } from '../http/request-context';
import type { AuthService } from './auth.service';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, for every `/v1/*` route: set by the auth hook before the body is read. */
    principal: KeyPrincipal | null;
  }
}

/**
 * Fastify `onRequest` hook for the public API: the key is checked before the body is read, so an unauthenticated
 * caller cannot make us receive, parse or validate anything (and learns nothing about its body).
 */
export function authHook(auth: AuthService) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (!req.routeOptions.url?.startsWith('/v1/')) return undefined;
    try {
      req.principal = await auth.principal(apiKeyHeader(req), callContext(req));
      return undefined;
    } catch (err) {
      sendError(reply, err);
      return reply;
    }
  };
}

/** The principal the auth hook set; a route outside `/v1/` that asks for one is a bug. */
export function principalOf(req: FastifyRequest): KeyPrincipal {
  if (!req.principal) throw new TfError('internal_error', 'No authenticated principal on this route.');
  return req.principal;
}

/**
 * `Authorization: Bearer …`, or on Anthropic's API `x-api-key` (what its SDK sends; a Bearer token works there
 * too). Node keeps only the first of repeated Authorization headers: two of them are refused rather than guessed.
 */
function apiKeyHeader(req: FastifyRequest): string | undefined {
  let authorizations = 0;
  let apiKeys = 0;
  const raw = req.raw.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (name === 'authorization') authorizations++;
    else if (name === 'x-api-key') apiKeys++;
  }
  if (authorizations > 1 || apiKeys > 1) {
    throw new TfError('invalid_request', `Send one ${authorizations > 1 ? 'Authorization' : 'x-api-key'} header, not several.`, {
      param: authorizations > 1 ? 'Authorization' : 'x-api-key',
    });
  }
  const apiKey = req.headers['x-api-key'];
  if (apiSurfaceOf(req) === 'anthropic' && typeof apiKey === 'string' && apiKey) return `Bearer ${apiKey}`;
  return req.headers.authorization;
}
