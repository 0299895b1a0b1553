import { strict as assert } from 'node:assert';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { usageEvent } from '@tokenflow/testing';
import { UsageSpool } from './usage-spool';

/** A pid no process has (above Linux's pid_max): the lock of a process that died. */
const DEAD_PID = 4_194_305;
/** Makes `path` look untouched for a minute (a lock whose owner stopped refreshing it). */
const age = (path: string) => utimesSync(path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
/** The lock of a process that died a minute ago. */
function deadLock(slot: string, owner: object = { id: 'dead', pid: DEAD_PID, host: hostname() }): void {
  mkdirSync(slot, { recursive: true });
  writeFileSync(join(slot, 'owner.json'), JSON.stringify(owner));
  age(join(slot, 'owner.json'));
}

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
    deadLock(slot);
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
    deadLock(orphan);
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

  it('a copy of an event already pending writes nothing (the journaled one stands; the replay publishes it once)', async () => {
    const spool = open();
    assert.ok(spool.add(usageEvent('req_dup')));
    const before = readFileSync(join(spool.slotDir, files('slot-0')[0]), 'utf8');
    assert.equal(spool.add(usageEvent('req_dup')), null);
    assert.equal(readFileSync(join(spool.slotDir, files('slot-0')[0]), 'utf8'), before, 'no second copy, no ack line');
    assert.equal(spool.stats().events, 1);
    await spool.close();
  });

  it('regression (money loss): a crash between a compaction’s copy and its delete, then another crash, keeps the event pending', async () => {
    // The first life compacted req_dup into segment 2 and died before deleting segment 1: both hold it, no ack.
    const slot = join(dir, 'slot-0');
    deadLock(slot);
    writeFileSync(join(slot, 'seg-000000000001.jsonl'), JSON.stringify({ e: usageEvent('req_dup') }) + '\n');
    writeFileSync(join(slot, 'seg-000000000002.jsonl'), JSON.stringify({ e: usageEvent('req_dup') }) + '\n');
    const second = open();
    assert.equal(await second.recover(), 1);
    assert.deepEqual(files('slot-0'), ['seg-000000000003.jsonl']);
    assert.doesNotMatch(readFileSync(join(slot, 'seg-000000000003.jsonl'), 'utf8'), /"a":/, 'JetStream acked nothing: no ack line');
    // The second life dies too (no close, its lock goes stale) before JetStream took the event: the third replays it.
    age(join(slot, 'owner.json'));
    const third = open();
    assert.equal(third.slotDir, slot);
    assert.equal(await third.recover(), 1);
    assert.deepEqual(third.due(10).map((e) => e.event.eventId), ['req_dup:1']);
    await third.close();
  });

  it('reads a segment robustly: an ack acknowledges only what it follows, copies count once', async () => {
    const slot = join(dir, 'slot-0');
    deadLock(slot);
    const seg = join(slot, 'seg-000000000001.jsonl');
    appendFileSync(seg, JSON.stringify({ a: 'req_b:1' }) + '\n'); // an ack alone (its event's line is elsewhere)
    appendFileSync(seg, JSON.stringify({ e: usageEvent('req_a') }) + '\n');
    appendFileSync(seg, JSON.stringify({ e: usageEvent('req_a') }) + '\n');
    appendFileSync(seg, JSON.stringify({ e: usageEvent('req_b') }) + '\n');
    appendFileSync(seg, JSON.stringify({ e: usageEvent('req_c') }) + '\n');
    appendFileSync(seg, JSON.stringify({ a: 'req_c:1' }) + '\n');
    const spool = open();
    assert.equal(await spool.recover(), 2);
    assert.deepEqual(spool.due(10).map((e) => e.event.eventId), ['req_a:1', 'req_b:1']);
    await spool.close();
  });

  it('takes over, while running, a slot whose owner stopped refreshing its lock, and counts leftovers it cannot take', async () => {
    const spool = open();
    assert.equal(spool.adoptOrphans(), 0);
    // A replica stopped in a rolling deploy left events behind and its slot locked.
    deadLock(join(dir, 'slot-5'), { id: 'old-replica', host: 'other-node', pid: 1 });
    writeFileSync(join(dir, 'slot-5', 'seg-000000000001.jsonl'), JSON.stringify({ e: usageEvent('req_left') }) + '\n');
    // Another's take-over of slot-6 is under way (its guard is fresh): not ours to take, but reported.
    deadLock(join(dir, 'slot-6'));
    writeFileSync(join(dir, 'slot-6', 'seg-000000000001.jsonl'), JSON.stringify({ e: usageEvent('req_stuck') }) + '\n');
    mkdirSync(join(dir, 'slot-6', 'takeover.lock'));
    assert.equal(spool.adoptOrphans(), 1);
    assert.equal(spool.stats().orphaned, 1);
    assert.equal(await spool.recover(), 1);
    assert.equal(spool.stats().adopted, 1);
    assert.deepEqual(spool.due(10).map((e) => e.event.eventId), ['req_left:1']);
    assert.ok(!existsSync(join(dir, 'slot-5')), 'the adopted slot is gone');
    await spool.close();
  });

  it('locks: a live lock (refreshed) is never taken, even with this pid and host; a stale one is; release checks the owner', async () => {
    const slot = join(dir, 'slot-0');
    mkdirSync(slot);
    // Containers sharing a hostname all run as pid 1: the pid says nothing, the heartbeat does.
    writeFileSync(join(slot, 'owner.json'), JSON.stringify({ id: 'other', pid: process.pid, host: hostname() }));
    const spool = open();
    assert.equal(spool.slotDir.split('/').pop(), 'slot-1');
    age(join(spool.slotDir, 'owner.json'));
    spool.heartbeat();
    assert.ok(Date.now() - statSync(join(spool.slotDir, 'owner.json')).mtimeMs < 5_000, 'the heartbeat refreshes the lock');
    // Our lock went stale and another process took the slot: closing must not delete its lock.
    age(join(spool.slotDir, 'owner.json'));
    const thief = open();
    assert.equal(thief.slotDir, spool.slotDir, 'the stale slot-1 is taken over');
    const thiefLock = readFileSync(join(thief.slotDir, 'owner.json'), 'utf8');
    await spool.close();
    assert.equal(readFileSync(join(thief.slotDir, 'owner.json'), 'utf8'), thiefLock, 'the old owner did not release the new owner’s lock');
    await thief.close();
    assert.ok(existsSync(join(slot, 'owner.json')), 'the live lock of slot-0 is untouched');
  });

  it('two spools opening together on one directory never share a slot', async () => {
    for (let n = 0; n < 4; n++) deadLock(join(dir, `slot-${n}`));
    const spools = Array.from({ length: 8 }, () => open());
    assert.equal(new Set(spools.map((s) => s.slotDir)).size, 8);
    await Promise.all(spools.map((s) => s.close()));
  });
});
