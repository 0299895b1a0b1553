import { anthropicErrorEvent, toAnthropicError } from '@tokenflow/anthropic';
import type { TfError } from '@tokenflow/contracts';
import { sseData } from '@tokenflow/openai';

/**
 * How one API surface tells its clients about a failure, in both places one can happen: as the answer, before any
 * byte went out, or as a stream event once a 200 had started. The API's SDKs raise both as the same error type.
 */
export interface ErrorRenderer {
  response(err: TfError, requestId: string | null): { status: number; body: unknown };
  event(err: TfError): string;
}

/** OpenAI's `{error: {message, type, param, code}}`; in a stream, a `data:` event holding the same object. */
export const OPENAI_ERRORS: ErrorRenderer = {
  response: (err) => ({ status: err.status, body: { error: err.toBody() } }),
  event: (err) => sseData({ error: err.toBody() }),
};

/** Anthropic's `{type: "error", error: {type, message}, request_id}`; in a stream, its `error` event. */
export const ANTHROPIC_ERRORS: ErrorRenderer = {
  response: (err, requestId) => toAnthropicError(err, requestId),
  event: (err) => anthropicErrorEvent(err),
};

export type ApiSurface = 'openai' | 'anthropic';

const RENDERERS: Record<ApiSurface, ErrorRenderer> = { openai: OPENAI_ERRORS, anthropic: ANTHROPIC_ERRORS };

/** Route config (`@RouteConfig(servesApi('anthropic'))`) naming the API a handler serves; OpenAI's by default. */
export const servesApi = (api: ApiSurface): { api: ApiSurface } => ({ api });

/**
 * The renderer of the API a request called: the one its route declares. Errors raised before routing (the HTTP
 * parser's, the router's own) only have the path to go by; there, Anthropic's API is what lives under /v1/messages.
 */
export function errorRendererFor(req: RequestLike | undefined): ErrorRenderer {
  return RENDERERS[apiSurfaceOf(req)];
}

type RequestLike = { routeOptions?: { config?: unknown }; url?: string };

/** The API a request called: the one its route declares, else (before routing) what its path says. */
export function apiSurfaceOf(req: RequestLike | undefined): ApiSurface {
  const api = (req?.routeOptions?.config as { api?: ApiSurface } | undefined)?.api;
  if (api) return api;
  return req?.url?.startsWith('/v1/messages') ? 'anthropic' : 'openai';
}
