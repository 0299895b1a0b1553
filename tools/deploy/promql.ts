import { COMMON_LABELS, METRICS, type MetricName } from './metrics';

/**
 * Enough of PromQL to check a dashboard's queries against the metrics the services export: which metric names an
 * expression reads, the label names it matches on and groups by, and which function encloses each metric. Not a
 * parser for arbitrary PromQL; it refuses what it does not know (an unknown function) rather than guess.
 */

const AGGREGATIONS = ['sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group'];
const FUNCTIONS = [
  'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'histogram_quantile', 'abs', 'ceil', 'floor', 'round', 'clamp', 'clamp_min',
  'clamp_max', 'label_replace', 'label_join', 'vector', 'scalar', 'time', 'timestamp', 'absent', 'absent_over_time', 'changes', 'resets',
  'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time', 'last_over_time', 'quantile_over_time', 'sort',
  'sort_desc', 'predict_linear', 'exp', 'ln', 'log2', 'log10', 'sqrt',
];
const KNOWN_CALLS = new Set([...AGGREGATIONS, ...FUNCTIONS]);
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless', 'inf', 'nan']);
const COUNTER_FUNCTIONS = new Set(['rate', 'irate', 'increase']);
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

export interface MetricUse {
  /** As written (a histogram's series keep their suffix). */
  series: string;
  /** The exported metric it belongs to, or undefined when no service exports it. */
  metric?: MetricName;
  /** Label names its matchers use. */
  labels: string[];
  /** The function or aggregation directly around it ('' when none). */
  enclosedBy: string;
}

export interface ParsedQuery {
  uses: MetricUse[];
  /** Label names of every by/without/on/ignoring/group_left/group_right clause. */
  grouping: string[];
  /** Calls to functions this checker does not know. */
  unknownCalls: string[];
}

/** The exported metric a series belongs to: the name itself, or a histogram's _bucket/_sum/_count series. */
export function metricOf(series: string): MetricName | undefined {
  if (series in METRICS) return series as MetricName;
  const suffix = HISTOGRAM_SUFFIXES.find((s) => series.endsWith(s));
  const base = suffix ? series.slice(0, -suffix.length) : '';
  return base in METRICS && METRICS[base as MetricName].type === 'histogram' ? (base as MetricName) : undefined;
}

export function parseQuery(expr: string): ParsedQuery {
  // Grafana's range variables become a plain duration; strings (label values, "$model") become empty.
  let text = expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m').replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  const selectors: { series: string; labels: string[] }[] = [];
  text = text.replace(/([a-zA-Z_:][\w:]*)?\s*\{([^}]*)\}/g, (_, series: string | undefined, body: string) => {
    selectors.push({ series: series ?? '', labels: [...body.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]) });
    return series ?? '';
  });
  const grouping: string[] = [];
  text = text.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_, _kw: string, labels: string) => {
    grouping.push(...labels.split(',').map((l) => l.trim()).filter(Boolean));
    return ' ';
  });
  text = text.replace(/\[[^\]]*\]/g, '').replace(/\b\d+(\.\d+)?(e[+-]?\d+)?\b/gi, '');

  const uses: MetricUse[] = [];
  const unknownCalls: string[] = [];
  for (const m of text.matchAll(/[a-zA-Z_:][\w:]*/g)) {
    const name = m[0];
    const after = text.slice(m.index + name.length);
    if (/^\s*\(/.test(after)) {
      if (!KNOWN_CALLS.has(name)) unknownCalls.push(name);
      continue;
    }
    if (KEYWORDS.has(name.toLowerCase())) continue;
    const matched = selectors.find((s) => s.series === name && !('used' in s));
    if (matched) Object.assign(matched, { used: true });
    uses.push({ series: name, metric: metricOf(name), labels: matched?.labels ?? [], enclosedBy: enclosingCall(text, m.index) });
  }
  for (const s of selectors) if (!s.series) uses.push({ series: '{…} without a metric name', labels: s.labels, enclosedBy: '' });
  return { uses, grouping, unknownCalls };
}

/** The name of the call whose parentheses directly enclose position `at` ('' for none or plain parentheses). */
function enclosingCall(text: string, at: number): string {
  let depth = 0;
  for (let i = at - 1; i >= 0; i--) {
    if (text[i] === ')') depth++;
    else if (text[i] === '(') {
      if (depth > 0) {
        depth--;
        continue;
      }
      return /([a-zA-Z_][\w]*)\s*$/.exec(text.slice(0, i))?.[1] ?? '';
    }
  }
  return '';
}

/** Everything wrong with `expr` against the exported metrics; empty when it only reads them, the right way. */
export function queryProblems(expr: string): string[] {
  const q = parseQuery(expr);
  const problems = q.unknownCalls.map((f) => `unknown function ${f}()`);
  if (!q.uses.length) problems.push('reads no metric');
  const labelsInScope = new Set(COMMON_LABELS);
  for (const use of q.uses) {
    if (!use.metric) {
      problems.push(`${use.series} is not a metric the services export`);
      continue;
    }
    const spec = METRICS[use.metric];
    const allowed = new Set<string>([...spec.labels, ...COMMON_LABELS, ...(use.series.endsWith('_bucket') ? ['le'] : [])]);
    allowed.forEach((l) => labelsInScope.add(l));
    for (const l of use.labels) if (!allowed.has(l)) problems.push(`${use.series} has no label ${l}`);
    if (spec.type === 'counter' && !COUNTER_FUNCTIONS.has(use.enclosedBy)) problems.push(`counter ${use.series} outside rate()/increase()`);
    if (spec.type === 'histogram') {
      if (use.series === use.metric) problems.push(`histogram ${use.series} read without _bucket/_sum/_count`);
      else if (!COUNTER_FUNCTIONS.has(use.enclosedBy)) problems.push(`histogram series ${use.series} outside rate()/increase()`);
      if (use.series.endsWith('_bucket') && (!expr.includes('histogram_quantile(') || !q.grouping.includes('le'))) {
        problems.push(`${use.series} without histogram_quantile(…, sum by (le, …) (…))`);
      }
    }
  }
  for (const l of q.grouping) if (!labelsInScope.has(l)) problems.push(`groups by ${l}, a label none of its metrics has`);
  return problems;
}
