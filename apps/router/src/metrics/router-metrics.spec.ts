import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { HealthState } from '@tokenflow/contracts';
import type { ChannelEntity } from '../db/entities';
import type { HealthSnapshot, TargetHealth } from '../health/health-book';
import { breakerStates } from './router-metrics';

const ch = (id: string, models: string[]) => ({ id, models }) as ChannelEntity;
const health = (states: Record<string, HealthState>): HealthSnapshot => ({
  channel: (id, model) => ({ state: states[`${id}/${model}`] ?? 'closed' }) as TargetHealth,
  key: () => ({ state: 'closed' }) as TargetHealth,
});

describe('tokenflow_channel_breaker_open', () => {
  it('is 1 for a channel whose breaker is out for any model it serves, 0 for the others', () => {
    const channels = new Map([ch('a', ['m1', 'm2']), ch('b', ['m1']), ch('c', ['m1']), ch('d', ['m1'])].map((c) => [c.id, c]));
    const states = breakerStates({ channels }, health({ 'a/m2': 'open', 'b/m1': 'cooling', 'c/m1': 'half_open' }));
    assert.deepEqual(Object.fromEntries(states), { a: 1, b: 0, c: 1, d: 0 });
  });
});
