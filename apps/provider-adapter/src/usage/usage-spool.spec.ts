import { strict as assert } from 'node:assert';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { usageEvent } from '@tokenflow/testing';
import { UsageSpool } from './usage-spool';

/** A pid no process has (above Linux's pid_max): the lock of a process that died. */
const DEAD_PID = 4_194_305;

describe('UsageSpool', () => {
  let dir: string;
  const open = (over: Partial<Parameters<typeof UsageSpool.open>[0]> = {}) => UsageSpool.open({ dir, segmentBytes: 1024 * 1024, maxMemory: 100, ...over });
  const files = (slot: string) => (existsSync(join(dir, slot)) ? readdirSync(join(dir, slot)).filter((f) => f.endsWith('.jsonl')) : []);

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tf-spool-spec-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('journals an event before anything else, and forgets it once acknowledged', async () => {
    const spool = open();
    const entry = spool.add(usageEvent('req_a'))!;
    assert.match(readFileSync(join(spool.slotDir, files('slot-0')[0]), 'utf8'), /"eventId":"req_a:1"/);
    assert.equal(spool.stats().events, 1);
    spool.ack(entry);
    assert.equal(spool.stats().events, 0);
    await spool.close();
    assert.deepEqual(files('slot-0'), [], 'a fully acknowledged segment is deleted');
    assert.ok(!existsSync(dir), 'and an empty spool leaves no folder behind');
  });

  it('survives a truncated last line: the events before it are replayed by the next process', async () => {
    const slot = join(dir, 'slot-0');
    mkdirSync(slot, { recursive: true });
    writeFileSync(join(slot, 'owner.json'), JSON.stringify({ pid: DEAD_PID, host: hostname() }));
    const seg = join(slot, 'seg-000000000007.jsonl');
    appendFileSync(seg, JSON.stringify({ e: usageEvent('req_1') }) + '\n');
    appendFileSync(seg, JSON.stringify({ e: usageEvent('req_2') }) + '\n');
    appendFileSync(seg, JSON.stringify({ a: 'req_1:1' }) + '\n');
    appendFileSync(seg, JSON.stringify({ e: usageEvent('req_3') }).slice(0, 40));
    const spool = open();
    assert.equal(spool.slotDir, slot, 'the dead process’s slot is taken over');
    assert.equal(await spool.recover(), 1);
    assert.deepEqual(spool.due(10).map((e) => e.event.eventId), ['req_2:1']);
    assert.deepEqual(files('slot-0'), ['seg-000000000008.jsonl'], 'recovered into a fresh segment, the old one deleted');
    await spool.close();
  });

  it('a live process keeps its slot; a second spool takes the next, and adopts a dead one’s at boot', async () => {
    const first = open();
    const second = open();
    assert.deepEqual([first.slotDir, second.slotDir].map((d) => d.split('/').pop()), ['slot-0', 'slot-1']);
    const orphan = join(dir, 'slot-7');
    mkdirSync(orphan);
    writeFileSync(join(orphan, 'owner.json'), JSON.stringify({ pid: DEAD_PID, host: hostname() }));
    writeFileSync(join(orphan, 'seg-000000000001.jsonl'), JSON.stringify({ e: usageEvent('req_orphan') }) + '\n');
    await second.close();
    const third = open();
    assert.equal(third.slotDir.split('/').pop(), 'slot-1');
    assert.equal(await third.recover(), 1);
    assert.deepEqual(third.due(10).map((e) => e.event.eventId), ['req_orphan:1']);
    assert.ok(!readdirSync(dir).includes('slot-7'), 'the adopted slot is gone');
    await Promise.all([first.close(), third.close()]);
  });

  it('holds at most maxMemory events in memory; the rest are read back from disk as room frees up', async () => {
    const spool = open({ maxMemory: 2 });
    const held = [1, 2, 3, 4, 5].map((i) => spool.add(usageEvent(`req_${i}`)));
    assert.equal(held.filter(Boolean).length, 2);
    assert.equal(spool.stats().events, 5);
    for (const e of spool.due(10)) spool.ack(e);
    spool.refill();
    assert.deepEqual(spool.due(10).map((e) => e.event.eventId), ['req_3:1', 'req_4:1']);
    for (const e of spool.due(10)) spool.ack(e);
    spool.refill();
    assert.deepEqual(spool.due(10).map((e) => e.event.eventId), ['req_5:1']);
    await spool.close();
  });

  it('rotates segments, deletes acknowledged ones and compacts one held by a few stuck events', async () => {
    const spool = open({ segmentBytes: 4096 });
    const entries = Array.from({ length: 40 }, (_, i) => spool.add(usageEvent(`req_${i}`))!);
    assert.ok(files(spool.slotDir.split('/').pop()!).length > 2, 'several segments');
    const stuck = entries[0];
    for (const e of entries.slice(1)) spool.ack(e);
    const before = files('slot-0').length;
    assert.ok(before <= 2, `acknowledged segments deleted (${before} left)`);
    await spool.compact();
    assert.equal(spool.stats().events, 1);
    assert.equal(stuck.segment.seq, Math.max(...files('slot-0').map((f) => Number(f.slice(4, 16)))), 'the stuck event moved to the current segment');
    assert.equal(files('slot-0').length, 1);
    spool.ack(stuck);
    await spool.close();
  });

  it('a copy of an event already pending is acknowledged at once (the replay publishes it once)', async () => {
    const spool = open();
    assert.ok(spool.add(usageEvent('req_dup')));
    assert.equal(spool.add(usageEvent('req_dup')), null);
    assert.equal(spool.stats().events, 1);
    await spool.close();
  });
});
