import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { AdapterMsController } from '../adapter-ms.controller';
import type { InvokeService } from '../invoke/invoke.service';
import type { UsagePublisher } from '../usage/usage.publisher';
import { AdapterShutdown, noteShutdownSignal, shutdownPlan } from './adapter-shutdown';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every step takes all the time it is given (a probe in flight, attempts that never finish, JetStream away). */
function slowest(graceMs: number) {
  const calls: Record<string, number[]> = {};
  const controller = { stopTaking: async (ms: number) => ((calls.stopTaking = [ms]), sleep(ms)) };
  const invoke = {
    finish: async (graceMs: number, settleMs: number) => {
      calls.finish = [graceMs, settleMs];
      await sleep(graceMs + settleMs);
      return 1;
    },
  };
  const usage = { drain: async (deadline: number) => ((calls.drain = [deadline]), sleep(Math.max(0, deadline - Date.now()))), stats: () => ({ events: 0 }) };
  const sut = new AdapterShutdown(controller as unknown as AdapterMsController, invoke as unknown as InvokeService, usage as unknown as UsagePublisher, { SHUTDOWN_GRACE_MS: graceMs });
  return { sut, calls };
}

describe('AdapterShutdown', () => {
  it('regression: stopping intake (a probe in flight) counts against the grace period; the whole shutdown fits in it', async () => {
    const { sut, calls } = slowest(800);
    const t0 = Date.now();
    noteShutdownSignal(t0);
    await sut.onModuleDestroy();
    const took = Date.now() - t0;
    assert.ok(took < 800 + 100, `the whole shutdown took ${took} ms for an 800 ms grace`);
    assert.ok(calls.stopTaking[0] <= 800 && calls.finish[0] + calls.finish[1] + calls.stopTaking[0] <= 800);
  });

  it('shares the default grace so that the hard exit (grace + 5 s) is within Kubernetes’ 30 s', () => {
    const plan = shutdownPlan(0, 20_000);
    assert.deepEqual(plan, { attemptsEnd: 12_000, settleMs: 5_000, flushMs: 3_000, deadline: 20_000 });
    assert.ok(plan.deadline + 5_000 < 30_000);
    const short = shutdownPlan(0, 2_000);
    assert.ok(short.attemptsEnd >= 1_000 && short.attemptsEnd + short.settleMs + short.flushMs === 2_000);
  });
});
