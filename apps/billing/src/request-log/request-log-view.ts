import { nanoToUsd, type RequestLogView } from '@tokenflow/contracts';
import type { RequestLogRow } from './request-log.repository';

/** A stored entry for the admin API; `withContent` (the single-entry view) adds what was said, when it was kept. */
export function requestLogView(r: RequestLogRow, withContent: boolean): RequestLogView {
  const view: RequestLogView = {
    object: 'request',
    id: r.id,
    created_at: new Date(r.at).toISOString(),
    account_id: r.account_id,
    key_id: r.key_id,
    method: r.method,
    path: r.path,
    endpoint: r.endpoint,
    requested_model: r.requested_model,
    served_model: r.served_model,
    provider: r.provider,
    channel_id: r.channel_id,
    route: r.route,
    category: r.category,
    attempts: r.attempts,
    stream: r.stream,
    status: r.status,
    error_code: r.error_code,
    latency_ms: Number(r.latency_ms),
    ttft_ms: r.ttft_ms === null ? null : Number(r.ttft_ms),
    usage: { input_tokens: r.input_tokens, output_tokens: r.output_tokens, reasoning_tokens: r.reasoning_tokens, cached_tokens: r.cached_tokens },
    cost_usd: r.cost_nano === null ? null : nanoToUsd(BigInt(r.cost_nano)),
    cost_nano: r.cost_nano,
    trace_id: r.trace_id,
    has_content: r.content_truncated !== null,
  };
  if (withContent && r.content_truncated !== null) {
    view.content = { request: parsedOrText(r.content_request ?? null), response: parsedOrText(r.content_response ?? null), truncated: r.content_truncated };
  }
  return view;
}

/** JSON text that is complete comes back as JSON; a cut one, or a stream's SSE events, as the text it is. */
function parsedOrText(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
