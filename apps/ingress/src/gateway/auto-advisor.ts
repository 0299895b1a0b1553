import { Inject, Injectable } from '@nestjs/common';
import type { AutoSignal, PlanReply, RoutePreferences } from '@tokenflow/contracts';
import { type ChatLike, loadClassifier, type RouterClassifier } from '@tokenflow/routing';
import { Counter, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../health/metrics.tokens';

/**
 * What ingress tells the router about an `auto` request: the classifier's verdict (task category, expected gain of
 * a premium model — microseconds, bounded by the classifier's read cap), the request's size and its preferences.
 * Also counts every `auto` decision by the model it chose and the category.
 */
@Injectable()
export class AutoAdvisor {
  private readonly classifier: RouterClassifier = loadClassifier();
  private readonly decisions: Counter;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.decisions = new Counter({
      name: 'tokenflow_auto_decisions_total',
      help: '`auto` requests by the model the router chose and the task category the classifier saw',
      labelNames: ['model', 'category'],
      registers: [registry],
    });
  }

  signal(body: ChatLike & Record<string, unknown>, promptTokens: number, prefs: RoutePreferences): AutoSignal {
    const c = this.classifier.classify(body);
    const cap = body.max_completion_tokens ?? body.max_tokens;
    return {
      category: c.category,
      gain: c.gain,
      classifier: this.classifier.version,
      threshold: c.threshold,
      promptTokens,
      maxTokens: typeof cap === 'number' ? cap : null,
      prefs,
    };
  }

  decided(plan: PlanReply, signal: AutoSignal): void {
    this.decisions.inc({ model: plan.model, category: signal.category });
  }
}
