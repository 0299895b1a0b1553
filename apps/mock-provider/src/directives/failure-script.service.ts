import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { hashText, seededRandom } from '../completion/word-generator';
import { callerKey } from '../http/api-key';
import { MOCK_PROVIDER_OPTIONS, type MockProviderOptions } from '../mock-provider.options';
import { type Directives, DirectiveParserService, type ScriptedModel } from './directive-parser.service';

/** Scripts (model string × API key) remembered at once; the least recently used is forgotten and starts over. */
export const SCRIPT_CAPACITY = 10_000;

/** One model string's history with one caller: how many requests it saw, and its own stream of draws. */
interface ScriptState {
  seen: number;
  draw: () => number;
}

/**
 * Settles `fail-rate=` and `fail-first=` per request: whether this request is one of the scripted failures. Each
 * (model string, API key) pair has its own counter and its own generator seeded from `MOCK_SEED`, the key and the
 * model, so the k-th request of a script draws the same number on every run, whatever other traffic interleaves
 * with it. `DELETE /mock/requests` forgets every script.
 */
@Injectable()
export class FailureScriptService {
  private readonly scripts = new LRUCache<string, ScriptState>({ max: SCRIPT_CAPACITY });

  constructor(
    private readonly parser: DirectiveParserService,
    @Inject(MOCK_PROVIDER_OPTIONS) private readonly options: MockProviderOptions,
  ) {}

  /** The request's model name parsed, with its scripted failure (if any) decided for this one request. */
  scriptFor(model: string, headers: FastifyRequest['headers']): ScriptedModel {
    const { base, directives } = this.parser.parse(model);
    return { base, directives: this.settle(model, directives, callerKey(headers)) };
  }

  /**
   * Without `failRate`/`failFirst` the directives stand (`fail=` alone always fails). With them, `fail` becomes this
   * request's outcome: the scripted kind (default `500`) if it is among the first `failFirst` of this caller or its
   * draw falls under `failRate` percent, nothing otherwise.
   */
  settle(model: string, directives: Directives, caller: string): Directives {
    const { failRate, failFirst } = directives;
    if (failRate === undefined && failFirst === undefined) return directives;
    const script = this.script(model, caller);
    script.seen += 1;
    // Drawn on every request, so the k-th request's draw does not depend on which earlier ones `fail-first` took.
    const unlucky = failRate !== undefined && script.draw() * 100 < failRate;
    const early = failFirst !== undefined && script.seen <= failFirst;
    return { ...directives, fail: unlucky || early ? (directives.fail ?? '500') : undefined };
  }

  clear(): void {
    this.scripts.clear();
  }

  private script(model: string, caller: string): ScriptState {
    const id = `${caller}\u0000${model}`;
    let script = this.scripts.get(id);
    if (!script) {
      script = { seen: 0, draw: seededRandom(hashText(`${this.options.seed}\u0000${id}`)) };
      this.scripts.set(id, script);
    }
    return script;
  }
}
