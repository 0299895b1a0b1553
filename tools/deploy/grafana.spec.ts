import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { METRICS } from './metrics';
import { metricOf, parseQuery, queryProblems } from './promql';
import { readRepoFile } from './repo';

// deploy/grafana/tokenflow.json: every query reads only the metrics the services export (tools/deploy/metrics.ts),
// by labels they have, counters and histograms through rate(); every exported metric is on the dashboard; the
// dashboard imports into any Grafana with any Prometheus data source.

interface Target {
  refId: string;
  expr: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string | { query: string }; datasource?: { uid: string } }[] };
}

const dashboard = JSON.parse(readRepoFile('deploy/grafana/tokenflow.json')) as Dashboard;
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const queryPanels = panels.filter((p) => p.type !== 'row');
const targets = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p, ...t })));

describe('the PromQL checker', () => {
  it('finds metrics, labels and the function around each, and refuses misuse', () => {
    const q = parseQuery('histogram_quantile(0.99, sum by (le, model) (rate(tokenflow_request_duration_seconds_bucket{model=~"$model"}[$__rate_interval])))');
    assert.deepEqual(q.uses, [{ series: 'tokenflow_request_duration_seconds_bucket', metric: 'tokenflow_request_duration_seconds', labels: ['model'], enclosedBy: 'rate' }]);
    assert.deepEqual(q.grouping, ['le', 'model']);
    assert.deepEqual(queryProblems('sum(rate(tokenflow_nope_total[5m]))'), ['tokenflow_nope_total is not a metric the services export']);
    assert.deepEqual(queryProblems('sum(tokenflow_requests_total)'), ['counter tokenflow_requests_total outside rate()/increase()']);
    assert.deepEqual(queryProblems('sum by (modle) (rate(tokenflow_requests_total[5m]))'), ['groups by modle, a label none of its metrics has']);
    assert.deepEqual(queryProblems('rate(tokenflow_cost_usd_total{channel="x"}[5m])'), ['tokenflow_cost_usd_total has no label channel']);
    assert.deepEqual(queryProblems('rate(tokenflow_settle_duration_seconds_bucket[5m])'), ['tokenflow_settle_duration_seconds_bucket without histogram_quantile(…, sum by (le, …) (…))']);
    assert.deepEqual(queryProblems('tokenflow_hold_duration_seconds'), ['histogram tokenflow_hold_duration_seconds read without _bucket/_sum/_count']);
    assert.deepEqual(queryProblems('holt_winters(tokenflow_channel_breaker_open[5m], 0.5, 0.5)'), ['unknown function holt_winters()']);
    assert.equal(metricOf('tokenflow_requests_total_count'), undefined, 'only histograms have _count series');
  });
});

describe('deploy/grafana/tokenflow.json', () => {
  it('is a dashboard with a stable uid, panels laid out on the grid and unique ids', () => {
    assert.equal(dashboard.uid, 'tokenflow-overview');
    assert.ok(dashboard.schemaVersion >= 36, 'Grafana 9+ schema');
    assert.equal(new Set(panels.map((p) => p.id)).size, panels.length, 'unique panel ids');
    for (const p of panels) {
      const { h, w, x, y } = p.gridPos;
      assert.ok(w > 0 && h > 0 && x >= 0 && y >= 0 && x + w <= 24, `${p.title}: inside the 24-column grid`);
    }
    assert.ok(queryPanels.length >= 15, `${queryPanels.length} panels`);
  });

  it('queries only the metrics the services export, by their labels, counters and histograms through rate()', () => {
    assert.ok(targets.length >= queryPanels.length, 'every panel has a query');
    for (const t of targets) {
      assert.ok(t.expr?.trim(), `${t.panel.title} ${t.refId}: an expression`);
      assert.deepEqual(queryProblems(t.expr), [], `${t.panel.title} ${t.refId}: ${t.expr}`);
    }
  });

  it('shows every exported metric somewhere', () => {
    const used = new Set(targets.flatMap((t) => parseQuery(t.expr).uses.map((u) => u.metric)));
    const missing = Object.keys(METRICS).filter((m) => !used.has(m as keyof typeof METRICS));
    assert.deepEqual(missing, [], 'metrics with no panel');
  });

  it('takes its data source from a variable, and its filters from labels the metrics have', () => {
    const ds = dashboard.templating.list.find((v) => v.type === 'datasource');
    assert.ok(ds && ds.query === 'prometheus', 'a Prometheus data source variable');
    const ref = `\${${ds.name}}`;
    for (const p of queryPanels) {
      assert.equal(p.datasource?.uid, ref, `${p.title}: data source ${ref}`);
      for (const t of p.targets ?? []) assert.equal(t.datasource?.uid ?? ref, ref, `${p.title} ${t.refId}`);
    }
    const variables = dashboard.templating.list.filter((v) => v.type === 'query');
    assert.ok(variables.length >= 3);
    for (const v of variables) {
      assert.equal(v.datasource?.uid, ref, `$${v.name} uses the data source variable`);
      const query = typeof v.query === 'string' ? v.query : v.query.query;
      const [, metric, label] = /^label_values\((\w+),\s*(\w+)\)$/.exec(query) ?? [];
      assert.ok(metric, `$${v.name}: label_values(metric, label)`);
      assert.deepEqual(queryProblems(`max by (${label}) (${metric})`).filter((p) => !p.includes('outside rate')), [], `$${v.name}: ${query}`);
    }
    // Each variable filters somewhere, and only metrics that have its label.
    for (const v of variables) assert.ok(targets.some((t) => t.expr.includes(`$${v.name}`)), `$${v.name} is used`);
  });
});
