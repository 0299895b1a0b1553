import { strict as assert } from 'node:assert';
import { describe, it, mock } from 'node:test';
import { ingressEnvSchema } from '../config';
import { ShutdownDeadline, shutdownDeadlineMs } from './shutdown-deadline';

/** Kubernetes' default terminationGracePeriodSeconds: SIGKILL after this. */
const KUBERNETES_KILL_MS = 30_000;

describe('ShutdownDeadline', () => {
  it('by default, ends the whole shutdown before Kubernetes kills the pod (regression: 25 s grace + 5 s flush = exactly 30 s)', () => {
    const { SHUTDOWN_GRACE_MS } = ingressEnvSchema.parse({ NATS_URL: 'nats://127.0.0.1:4222' });
    assert.ok(shutdownDeadlineMs(SHUTDOWN_GRACE_MS) < KUBERNETES_KILL_MS, `${shutdownDeadlineMs(SHUTDOWN_GRACE_MS)} ms`);
  });

  it('exits 1 at the deadline when the close hangs (regression: a NATS drain with NATS down never exited)', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const exits: number[] = [];
      const deadline = new ShutdownDeadline(() => ({ close: () => new Promise<void>(() => {}), graceMs: 1_000, exit: (code) => void exits.push(code) }));
      deadline.stop('SIGTERM');
      mock.timers.tick(shutdownDeadlineMs(1_000) - 1);
      assert.deepEqual(exits, []);
      mock.timers.tick(1);
      assert.deepEqual(exits, [1]);
    } finally {
      mock.timers.reset();
    }
  });

  it('exits 0 once the close is done, and a second signal changes nothing', async () => {
    const exits: number[] = [];
    let closes = 0;
    const deadline = new ShutdownDeadline(() => ({ close: async () => void closes++, graceMs: 1_000, exit: (code) => void exits.push(code) }));
    deadline.stop('SIGTERM');
    deadline.stop('SIGINT');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual([closes, exits], [1, [0]]);
  });
});
