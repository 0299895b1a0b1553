import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { type Platform, startPlatform } from './support/platform';

/** One exported span, flattened from OTLP/JSON with its service. */
interface ExportedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean>;
}

// OTLP span kinds (proto enum): 1 internal, 2 server, 3 client, 4 producer, 5 consumer.
const KIND = { server: 2, client: 3, producer: 4, consumer: 5 } as const;

/**
 * A tiny OTLP/HTTP receiver in the test process: every service exports to it with the JSON protocol
 * (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`), so the spans are checked exactly as a collector would get them.
 */
class OtlpReceiver {
  readonly spans: ExportedSpan[] = [];
  readonly paths = new Set<string>();
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.paths.add(`${req.method} ${req.url} ${req.headers['content-type']}`);
        try {
          if (req.url === '/v1/traces') this.collect(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraces);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }

  trace(traceId: string): ExportedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  private collect(body: OtlpTraces): void {
    for (const rs of body.resourceSpans ?? []) {
      const service = String(attrs(rs.resource?.attributes)['service.name'] ?? '?');
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          this.spans.push({ service, traceId: hex(s.traceId), spanId: hex(s.spanId), parentSpanId: hex(s.parentSpanId), name: s.name, kind: s.kind, attributes: attrs(s.attributes) });
        }
      }
    }
  }
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpTraces {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: OtlpValue }[] };
    scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: { key: string; value: OtlpValue }[] }[] }[];
  }[];
}

function attrs(list: { key: string; value: OtlpValue }[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) {
    out[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined) ?? value.doubleValue ?? value.boolValue ?? '';
  }
  return out;
}

/** Ids arrive as hex in OTLP/JSON; base64 (the protobuf JSON mapping) is accepted too. */
function hex(id: string | undefined): string {
  if (!id) return '';
  return /^[0-9a-f]+$/i.test(id) && (id.length === 32 || id.length === 16) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');
}

describe('tracing: one trace per request across the services (OTLP/JSON export)', () => {
  const receiver = new OtlpReceiver();
  let p: Platform;
  let client: OpenAI;

  before(async () => {
    const endpoint = await receiver.start();
    p = await startPlatform('tracing', {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=e2e',
    });
    client = new OpenAI({ apiKey: p.key, baseURL: `${p.baseUrl}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await p?.stop();
    await receiver.stop();
  });

  it('links ingress → router → ratelimit → billing → adapter → upstream → settlement in one connected tree', async () => {
    // The caller's own trace: the gateway continues it.
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const { data, response } = await client.chat.completions
      .create({ model: 'deepseek-v3', messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 64, temperature: 0.5 }, { headers: { traceparent: `00-${traceId}-${callerSpan}-01` } })
      .withResponse();
    const requestId = response.headers.get('x-request-id');
    assert.ok(data.usage && requestId);

    const has = (spans: ExportedSpan[], service: string, kind: number, name: RegExp) => spans.find((s) => s.service === service && s.kind === kind && name.test(s.name));
    const expected: [string, number, RegExp][] = [
      ['ingress', KIND.server, /^POST \/v1\/chat\/completions$/],
      ['ingress', KIND.client, /tf\.router\.plan\.v1$/],
      ['router', KIND.server, /tf\.router\.plan\.v1$/],
      ['ratelimit', KIND.server, /tf\.ratelimit\.acquire\.v1$/],
      ['billing', KIND.server, /tf\.billing\.hold\.v1$/],
      ['provider-adapter', KIND.server, /tf\.adapter\.invoke\.v1$/],
      ['provider-adapter', KIND.client, /^chat /],
      ['provider-adapter', KIND.producer, /tf\.usage\.recorded\.v1$/],
      ['billing', KIND.consumer, /tf\.usage\.recorded\.v1$/],
    ];
    const deadline = Date.now() + 20_000;
    let spans: ExportedSpan[] = [];
    for (;;) {
      spans = receiver.trace(traceId);
      if (expected.every(([svc, kind, name]) => has(spans, svc, kind, name))) break;
      if (Date.now() > deadline) {
        const seen = spans.map((s) => `${s.service} ${s.kind} ${s.name}`).join('\n  ');
        assert.fail(`spans missing from trace ${traceId}; seen:\n  ${seen}\nreceiver got: ${[...receiver.paths].join(', ')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }

    if (process.env.TRACE_DUMP) process.stdout.write(`# ${treeOf(spans).join('\n# ')}\n`);
    // A connected tree: the ingress server span is the root (its parent the caller's span), every other span's
    // parent is in the trace.
    const ids = new Set(spans.map((s) => s.spanId));
    const root = has(spans, 'ingress', KIND.server, /^POST /)!;
    assert.equal(root.parentSpanId, callerSpan);
    for (const s of spans) {
      if (s === root) continue;
      assert.ok(ids.has(s.parentSpanId), `${s.service} "${s.name}" has its parent ${s.parentSpanId || '(none)'} outside the trace`);
    }
    // Every span descends from the root.
    const parentOf = new Map(spans.map((s) => [s.spanId, s.parentSpanId]));
    for (const s of spans) {
      let id = s.spanId;
      for (let hops = 0; id !== root.spanId && hops < 20; hops++) id = parentOf.get(id) ?? '';
      assert.equal(id, root.spanId, `${s.service} "${s.name}" does not descend from the ingress span`);
    }
    const services = new Set(spans.map((s) => s.service));
    for (const svc of ['ingress', 'router', 'ratelimit', 'billing', 'provider-adapter']) assert.ok(services.has(svc), svc);

    // The hops' parents are who the architecture says: router, ratelimit, billing and the adapter under ingress's
    // requests; the upstream call and the usage publish under the invoke; settlement under the publish.
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parent = (s: ExportedSpan | undefined) => byId.get(s?.parentSpanId ?? '');
    for (const [svc, subject] of [['router', 'tf.router.plan.v1'], ['ratelimit', 'tf.ratelimit.acquire.v1'], ['billing', 'tf.billing.hold.v1'], ['provider-adapter', 'tf.adapter.invoke.v1']]) {
      const server = spans.find((s) => s.service === svc && s.kind === KIND.server && s.name.endsWith(subject))!;
      const caller = parent(server);
      assert.equal(caller?.service, 'ingress', `${subject}'s caller`);
      assert.equal(caller?.kind, KIND.client);
      assert.equal(parent(caller)?.spanId, root.spanId);
      assert.equal(server.attributes['messaging.system'], 'nats');
      assert.equal(server.attributes['messaging.destination.name'], subject);
    }
    const invoke = has(spans, 'provider-adapter', KIND.server, /tf\.adapter\.invoke\.v1$/)!;
    const upstream = has(spans, 'provider-adapter', KIND.client, /^chat /)!;
    const publish = has(spans, 'provider-adapter', KIND.producer, /tf\.usage\.recorded\.v1$/)!;
    const settle = has(spans, 'billing', KIND.consumer, /tf\.usage\.recorded\.v1$/)!;
    assert.equal(upstream.parentSpanId, invoke.spanId);
    assert.equal(publish.parentSpanId, invoke.spanId);
    assert.equal(settle.parentSpanId, publish.spanId);
    assert.equal(upstream.attributes['server.address'], '127.0.0.1');
    assert.equal(upstream.attributes['http.request.method'], 'POST');
    assert.equal(upstream.attributes['http.response.status_code'], 200);
    assert.equal(upstream.attributes['gen_ai.provider.name'], 'deepseek');
    assert.ok(upstream.attributes['gen_ai.request.model']);

    // The root carries the request as GenAI and HTTP attributes, plus cost and route.
    const a = root.attributes;
    assert.equal(a['gen_ai.operation.name'], 'chat');
    assert.equal(a['gen_ai.request.model'], 'deepseek-v3');
    assert.equal(a['gen_ai.response.model'], 'deepseek-v3');
    assert.equal(a['gen_ai.provider.name'], 'deepseek');
    assert.equal(a['gen_ai.usage.input_tokens'], data.usage.prompt_tokens);
    assert.equal(a['gen_ai.usage.output_tokens'], data.usage.completion_tokens);
    assert.equal(a['gen_ai.request.max_tokens'], 64);
    assert.equal(a['gen_ai.request.temperature'], 0.5);
    assert.equal(a['http.request.method'], 'POST');
    assert.equal(a['http.route'], '/v1/chat/completions');
    assert.equal(a['http.response.status_code'], 200);
    assert.equal(a['tokenflow.request_id'], requestId);
    assert.equal(a['tokenflow.attempts'], 1);
    assert.ok(typeof a['tokenflow.cost_usd'] === 'number' && a['tokenflow.cost_usd'] > 0);
    assert.ok(a['tokenflow.channel_id']);
    assert.ok(typeof a['tokenflow.ttft_ms'] === 'number');
    assert.equal(a['error.type'], undefined);

    // Nothing secret or content-bearing in any attribute: no prompt, no key, no upstream URL query.
    const all = JSON.stringify(spans);
    assert.ok(!all.includes('Say hello'));
    assert.ok(!all.includes(p.key));
    assert.ok(!all.includes('sk-'), 'no upstream key');
  });

  it('continues the trace of a refused request too, with the error type on the root', async () => {
    const traceId = randomBytes(16).toString('hex');
    const res = await fetch(`${p.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer tf-not-a-key', 'content-type': 'application/json', traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      body: JSON.stringify({ model: 'deepseek-v3', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(res.status, 401);
    const deadline = Date.now() + 10_000;
    let root: ExportedSpan | undefined;
    while (!root && Date.now() < deadline) {
      root = receiver.trace(traceId).find((s) => s.service === 'ingress' && s.kind === KIND.server);
      if (!root) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(root, 'the refused request has its span');
    assert.equal(root.attributes['http.response.status_code'], 401);
    assert.equal(root.attributes['error.type'], 'invalid_api_key');
  });
});

/** The trace as an indented tree (TRACE_DUMP=1 prints it). */
function treeOf(spans: ExportedSpan[]): string[] {
  const kinds = ['?', 'internal', 'server', 'client', 'producer', 'consumer'];
  const ids = new Set(spans.map((s) => s.spanId));
  const out: string[] = [];
  const walk = (s: ExportedSpan, depth: number) => {
    out.push(`${'  '.repeat(depth)}[${s.service}] ${kinds[s.kind]} "${s.name}" ${JSON.stringify(s.attributes)}`);
    for (const c of spans.filter((x) => x.parentSpanId === s.spanId)) walk(c, depth + 1);
  };
  for (const r of spans.filter((s) => !ids.has(s.parentSpanId))) walk(r, 0);
  return out;
}
