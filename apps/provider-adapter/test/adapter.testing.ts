import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { type InvokeRequest, type PlannedAttempt, type StreamFrame, Subjects, upstreamKeyFingerprint } from '@tokenflow/contracts';
import { type FrameInbox, NatsBus } from '@tokenflow/messaging';
import { estimatePromptTokens } from '@tokenflow/openai';
import { freePort, testUrls, waitFor } from '@tokenflow/testing';

/** The mock upstream as its own process (apps never import apps), on a free port. */
export async function startMockProvider(): Promise<{ url: string; close(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(__dirname, '..', '..', 'mock-provider', 'src', 'main.js')], {
    env: { ...process.env, MOCK_PORT: String(port), LOG_LEVEL: 'error' },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/healthz`)).ok, 15_000, 'mock provider');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * The router's part for the adapter under test, on a bus of the test's own: it serves each channel's upstream keys
 * (`keys`, changeable by the test).
 */
export async function routerStandIn(ns: string, keys: Map<string, string[]>): Promise<NatsBus> {
  const bus = await NatsBus.connect({ url: testUrls.nats, name: 'adapter-test', namespace: ns });
  bus.serve(Subjects.routerChannelKeys, (req) => ({ keys: (keys.get(req.channelId) ?? []).map((apiKey) => ({ ref: upstreamKeyFingerprint(apiKey), apiKey })) }));
  await bus.flush();
  return bus;
}

/** A planned attempt on an openai-compatible channel of the mock, naming its key by reference. */
export function plannedAttempt(baseUrl: string, channelId: string, apiKey: string, upstreamModel: string, t: Partial<PlannedAttempt['timeouts']> = {}): PlannedAttempt {
  return {
    channelId,
    channelName: channelId,
    provider: 'openai-compatible',
    baseUrl,
    keyRef: upstreamKeyFingerprint(apiKey),
    upstreamModel,
    timeouts: { connectMs: 1_000, firstByteMs: 2_000, idleMs: 2_000, ...t },
  };
}

/** An invoke request as ingress sends it, with a fresh inbox opened on `bus`. */
export function invokeRequest(bus: NatsBus, attempt: PlannedAttempt, extra: Partial<InvokeRequest> = {}): { req: InvokeRequest; inbox: FrameInbox } {
  const inbox = bus.openInbox();
  const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hello adapter' }] };
  const prompt = estimatePromptTokens(body);
  return {
    inbox,
    req: {
      requestId: `req_${Math.random().toString(16).slice(2)}`,
      attemptNo: 1,
      attempt,
      body,
      size: { promptTokens: prompt, promptReserve: prompt, outputTokens: 0 },
      inbox: inbox.subject,
      accountId: '00000000-0000-4000-8000-000000000001',
      keyId: '00000000-0000-4000-8000-000000000002',
      model: 'gpt-4o',
      price: { inputNanoPerToken: '2500', outputNanoPerToken: '10000' },
      ...extra,
    },
  };
}

/** Every frame up to the terminal one. */
export async function drain(inbox: FrameInbox, idleMs = 10_000): Promise<StreamFrame[]> {
  const frames: StreamFrame[] = [];
  for (;;) {
    const f = await inbox.next(idleMs);
    frames.push(f);
    if (f.type !== 'chunk') break;
  }
  inbox.close();
  return frames;
}
