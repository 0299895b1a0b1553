import { type RoutePreferences, TfError } from '@tokenflow/contracts';

/** The body's `route` as validated (`requestRouteSchema`). */
export interface RouteField {
  mode?: RoutePreferences['mode'];
  max_price_per_1m_output?: number;
  latency_target_ms?: number;
  models?: string[];
}

/**
 * A request's preferences for `auto`: the body's `route` (`extra_body` in the SDKs), with the
 * `x-tokenflow-latency-target-ms` header as the latency target when the body names none.
 */
export function routePreferences(route: RouteField | undefined, latencyHeader: string | string[] | undefined): RoutePreferences {
  const prefs: RoutePreferences = {};
  if (route?.mode) prefs.mode = route.mode;
  if (route?.max_price_per_1m_output !== undefined) prefs.maxPricePer1mOutput = route.max_price_per_1m_output;
  if (route?.models) prefs.models = route.models;
  const header = Array.isArray(latencyHeader) ? latencyHeader[0] : latencyHeader;
  if (route?.latency_target_ms !== undefined) prefs.latencyTargetMs = route.latency_target_ms;
  else if (header !== undefined) {
    const ms = /^\d{1,6}$/.test(header.trim()) ? Number(header) : NaN;
    if (!(ms >= 1 && ms <= 600_000)) {
      throw new TfError('invalid_request', 'x-tokenflow-latency-target-ms must be a whole number of milliseconds from 1 to 600000.', { param: 'x-tokenflow-latency-target-ms' });
    }
    prefs.latencyTargetMs = ms;
  }
  return prefs;
}
