import type { IncomingHttpHeaders } from 'node:http';
import type { Directives, HttpFailure } from '../directives/directive-parser.service';
import { OpenAiError } from '../http/openai-error';
import type { ProviderError } from '../http/provider-error';

/** A request the mock cannot use: what OpenAI would say (message, offending parameter, code), to be re-worded. */
export interface RequestIssue {
  message: string;
  param: string | null;
  /** `missing_required_parameter`, `invalid_value` or null. */
  code: string | null;
}

/**
 * How one provider reports failures: its statuses, error bodies and wording, its in-stream error, its credential
 * check. The exception filter picks the dialect by path prefix, so even Fastify's own errors (bad JSON, unknown
 * path) leave in the format of the provider the client believes it is talking to.
 */
export interface ErrorDialect {
  /** Throws the provider's 401 unless the headers carry a credential it accepts. */
  authenticate(headers: IncomingHttpHeaders): void;
  /** A `fail=` directive that ends the request with an error status. */
  scripted(failure: HttpFailure, directives: Pick<Directives, 'retryAfterSeconds'>): ProviderError;
  invalidRequest(issue: RequestIssue): ProviderError;
  unparsableBody(): ProviderError;
  notFound(method: string, url: string): ProviderError;
  /** Another 4xx raised before a handler ran (wrong content type, body too large). */
  clientError(status: number, message: string): ProviderError;
  serverError(): ProviderError;
  /** The SSE text a stream that already started with 200 ends with on `fail=stream-error`. */
  streamError(): string;
}

/** Runs a validation worded the OpenAI way and re-words its 400 in the provider's dialect. */
export function validatedFor<T>(dialect: ErrorDialect, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof OpenAiError) throw dialect.invalidRequest(err);
    throw err;
  }
}
