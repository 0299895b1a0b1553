import { Injectable } from '@nestjs/common';

/** Failures that end the request with an error status, rendered in the format of the provider being emulated. */
export const HTTP_FAILURES = ['500', '429', '400', '401', 'quota', 'context', 'overloaded', 'content-filter'] as const;
export type HttpFailure = (typeof HTTP_FAILURES)[number];
/** Failures of the connection or of a stream that already started with a 200. */
export const STREAM_FAILURES = ['timeout', 'disconnect', 'malformed', 'stream-error'] as const;
export const FAIL_MODES = [...HTTP_FAILURES, ...STREAM_FAILURES] as const;
export type FailMode = (typeof FAIL_MODES)[number];

export function isHttpFailure(mode: FailMode | undefined): mode is HttpFailure {
  return HTTP_FAILURES.some((failure) => failure === mode);
}

/** Scripted behaviour for one request, taken from the `+key=value` suffixes of its `model`. */
export interface Directives {
  /** Overrides the app's default time to first byte. */
  ttftMs?: number;
  /** Overrides the app's default pacing; 0 means as fast as possible. */
  tps?: number;
  /** Natural completion length in tokens (the client's max_tokens can still cut it). */
  tokens?: number;
  /**
   * What goes wrong. Alone it always happens; with `failRate` or `failFirst` it is the kind of failure those
   * script (default `500`), settled per request by `FailureScriptService`.
   */
  fail?: FailMode;
  /** Percent (0..100) of requests that fail, drawn from a seeded generator. */
  failRate?: number;
  /** The first n requests with this exact model string and API key fail; later ones succeed. */
  failFirst?: number;
  retryAfterSeconds: number;
  /** Content chunks sent before a `disconnect`, `malformed` or `stream-error` failure. */
  failAfter: number;
  suppressUsage: boolean;
  /** Extra pause before content chunk number `stallAt` (1-based). */
  chunkDelayMs: number;
  stallAt: number;
  /** Prompt tokens reported as served from the provider's prompt cache (capped at the prompt's size). */
  cachedTokens?: number;
}

export interface ScriptedModel {
  /** The model name before the first `+`: what responses echo back. */
  base: string;
  directives: Directives;
}

export const DEFAULT_DIRECTIVES: Readonly<Directives> = {
  retryAfterSeconds: 1,
  failAfter: 3,
  suppressUsage: false,
  chunkDelayMs: 0,
  stallAt: 2,
};

const count = (v: string): number | undefined => (/^\d+$/.test(v) ? Number(v) : undefined);
const rate = (v: string): number | undefined => (/^\d+(\.\d+)?$/.test(v) ? Number(v) : undefined);
const percent = (v: string): number | undefined => {
  const n = rate(v);
  return n !== undefined && n <= 100 ? n : undefined;
};

/** A directive with a value the rule does not accept yields `undefined` and is ignored, like an unknown one. */
const RULES: Record<string, (value: string) => Partial<Directives>> = {
  ttft: (v) => ({ ttftMs: count(v) }),
  tps: (v) => ({ tps: rate(v) }),
  tokens: (v) => ({ tokens: count(v) }),
  fail: (v) => ({ fail: FAIL_MODES.find((mode) => mode === v) }),
  'fail-rate': (v) => ({ failRate: percent(v) }),
  'fail-first': (v) => ({ failFirst: count(v) }),
  'retry-after': (v) => ({ retryAfterSeconds: count(v) }),
  'fail-after': (v) => ({ failAfter: count(v) }),
  usage: (v) => ({ suppressUsage: v === 'none' ? true : undefined }),
  'chunk-delay': (v) => ({ chunkDelayMs: count(v) }),
  'stall-at': (v) => ({ stallAt: count(v) }),
  cached: (v) => ({ cachedTokens: count(v) }),
};

@Injectable()
export class DirectiveParserService {
  /** `gpt-4o+fail=429+retry-after=2` → base `gpt-4o` and its directives; unknown or malformed ones are ignored. */
  parse(model: string): ScriptedModel {
    const [base, ...parts] = model.split('+');
    const directives: Directives = { ...DEFAULT_DIRECTIVES };
    for (const part of parts) {
      const eq = part.indexOf('=');
      const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
      const value = eq < 0 ? '' : part.slice(eq + 1).trim().toLowerCase();
      if (!Object.hasOwn(RULES, key)) continue;
      for (const [field, parsed] of Object.entries(RULES[key](value))) {
        if (parsed !== undefined) Object.assign(directives, { [field]: parsed });
      }
    }
    return { base, directives };
  }
}
