import { type CancelEvent, type InvokeRequest, type KeyPrincipal, Subjects, type WireStreamFrame } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { testUrls } from '@tokenflow/testing';
import { HOLD, planFor } from './lifecycle-fakes';

export const PEER_PRINCIPAL: KeyPrincipal = {
  keyId: 'k1',
  accountId: 'a1',
  name: null,
  models: null,
  limits: { rpm: null, tpm: null, maxConcurrency: null, models: null },
  accountLimits: null,
  expiresAt: null,
  budget: null,
  fallbacks: null,
};

/** What the scripted adapter does with one invoke: publishes frames to `send` until done (or `cancelled()`). */
export type AdapterScript = (send: (frame: WireStreamFrame) => void, cancelled: () => boolean, req: InvokeRequest) => Promise<void>;

export interface ScriptedPeers {
  bus: NatsBus;
  /** Cancels the ingress sent to the adapter, in order. */
  cancels: CancelEvent[];
  close(): Promise<void>;
}

/**
 * Every service but the ingress, played over the real NATS server: billing and the limiter admit everything, the
 * router plans the asked model on one attempt, and the adapter runs the script named by the model.
 */
export async function scriptedPeers(namespace: string, scripts: Record<string, AdapterScript>): Promise<ScriptedPeers> {
  const bus = await NatsBus.connect({ url: testUrls.nats, name: 'scripted-peers', namespace });
  const cancels: CancelEvent[] = [];
  bus.serve(Subjects.billingAuth, () => ({ principal: PEER_PRINCIPAL }));
  bus.serve(Subjects.routerPlan, (req) => planFor(req.model));
  bus.serve(Subjects.ratelimitAcquire, () => ({ requests: null, tokens: null, degraded: false, reserved: true }));
  bus.serve(Subjects.billingHold, () => HOLD);
  bus.serve(Subjects.billingHoldReleaseNow, () => ({ released: true }));
  bus.on(Subjects.adapterCancel, (ev) => void cancels.push(ev), { wildcard: true });
  bus.serve(Subjects.adapterInvoke, (req) => {
    const script = scripts[req.model];
    if (!script) throw new Error(`no script for ${req.model}`);
    const cancelled = () => cancels.some((c) => c.requestId === req.requestId);
    // Answered first (the invoke is accepted), then the frames follow on the inbox, as the adapter does.
    setImmediate(() => void script((f) => bus.sendFrame(req.inbox, f), cancelled, req).catch(() => undefined));
    return { accepted: true as const };
  });
  await bus.flush();
  return { bus, cancels, close: () => bus.close() };
}

export function textChunk(seq: number, content: string): WireStreamFrame {
  return { type: 'chunk', seq, data: { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] } };
}

export function endFrame(seq: number): WireStreamFrame {
  return { type: 'end', seq, usage: { prompt_tokens: 3, completion_tokens: seq, total_tokens: 3 + seq }, usageSource: 'upstream' };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function chatRequest(baseUrl: string, key: string, model: string, stream: boolean): Promise<Response> {
  return fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream }),
  });
}

/** The `data:` payloads of an SSE body, parsed (`[DONE]` kept as the string). */
export function sseEvents(text: string): unknown[] {
  return text
    .split('\n\n')
    .filter((e) => e.startsWith('data: '))
    .map((e) => (e === 'data: [DONE]' ? '[DONE]' : (JSON.parse(e.slice(6)) as unknown)));
}
