import { randomUUID } from 'node:crypto';
import { closeSync, fdatasync, fdatasyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, statSync, unlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { UsageRecordedEvent } from '@tokenflow/contracts';
import type { Logger } from '@tokenflow/observability';

const datasync = promisify(fdatasync);
const LOCK = 'owner.json';
const SEGMENT = /^seg-(\d{12})\.jsonl$/;
const SLOT = /^slot-(\d+)$/;
/** Guards the take-over of a stale lock (a directory: `mkdir` is an atomic create-exclusive). */
const TAKEOVER = 'takeover.lock';
/** A lock whose owner has not refreshed it (its mtime) for this long belongs to a dead process. */
export const DEFAULT_STALE_AFTER_MS = 30_000;

/** One usage event not yet acknowledged by JetStream, held in memory (at most `maxMemory` of them). */
export interface SpoolEntry {
  readonly event: UsageRecordedEvent;
  segment: Segment;
  /** A publish of it is under way (the first attempt or the retry pump): nobody else starts one. */
  inflight: boolean;
  acked: boolean;
}

interface Segment {
  readonly seq: number;
  readonly path: string;
  /** Open while it is the segment written to; acks for older segments open theirs briefly. */
  fd: number | null;
  bytes: number;
  events: number;
  acked: number;
  /** Unacknowledged events of this segment that are on disk only (memory was full): a refill reads them back. */
  onDiskOnly: number;
  /** When its oldest event occurred (epoch ms). */
  oldestAt: number;
}

export interface SpoolOptions {
  dir: string;
  /** A segment is closed for new events past this size (its acks still land in it). */
  segmentBytes: number;
  /** Pending events held in memory at most; the rest wait on disk. */
  maxMemory: number;
  /** A slot whose lock was not refreshed (`heartbeat()`) for this long is taken over. Default 30 s. */
  staleAfterMs?: number;
  log?: Logger;
}

export interface SpoolStats {
  /** Events written but not yet acknowledged by JetStream (memory and disk). */
  events: number;
  /** Age of the oldest of them (ms), 0 when there is none. */
  oldestAgeMs: number;
  bytes: number;
  segments: number;
  /** Events taken over from slots left by other (dead or stopped) processes since this one started. */
  adopted: number;
  /** Unacknowledged events seen at the last scan in slots no live process owns and this one could not take over. */
  orphaned: number;
}

/**
 * The usage publisher's write-ahead journal: every event is appended here (one `write`, no fsync) before the
 * publisher tries JetStream, and an ack line is appended once JetStream has stored it. A process that dies at any
 * point leaves every unacknowledged event on disk, and the next process on the same directory replays it (same
 * event id, so JetStream's dedupe window and billing's idempotency key make the replay exactly-once in the ledger).
 *
 * Files: `<dir>/slot-<n>/seg-<seq>.jsonl`, one JSON object a line: `{"e": event}` or `{"a": eventId}`. Each process
 * owns one slot (a lock file naming a random instance id, its host and pid, whose mtime it refreshes with
 * `heartbeat()`), so replicas may share `dir`; at boot and then periodically a process adopts the slots whose lock is
 * missing or was not refreshed for `staleAfterMs`. Segments are append-only: one whose events are all acked is
 * deleted, a mostly-acked one is compacted (its live events re-appended to the current segment, then deleted), and
 * boot compacts everything it recovers into a fresh segment. A line that does not parse (a torn last write) is skipped.
 */
export class UsageSpool {
  private readonly memory = new Map<string, SpoolEntry>();
  private readonly segments = new Map<number, Segment>();
  private current!: Segment;
  private nextSeq = 1;
  private dirty = new Set<Segment>();
  private syncing: Promise<void> | null = null;
  private closed = false;
  /** Segments left by earlier processes (this slot's and adopted ones), read once by `recover()`. */
  private inherited: string[] = [];
  private adoptedSlots: string[] = [];
  private adopted = 0;
  private orphaned = 0;
  private readonly owner: Owner = { id: randomUUID(), host: hostname(), pid: process.pid, startedAt: new Date().toISOString() };
  private readonly staleAfterMs: number;
  readonly slotDir: string;

  private constructor(private readonly opts: SpoolOptions) {
    this.staleAfterMs = opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    mkdirSync(opts.dir, { recursive: true });
    this.slotDir = this.claimSlot();
    this.inherited = listSegments(this.slotDir).map((f) => join(this.slotDir, f));
    this.nextSeq = Math.max(0, ...this.inherited.map((p) => Number(SEGMENT.exec(p.split('/').pop()!)![1]))) + 1;
    this.adoptOrphans();
    this.current = this.openSegment();
  }

  /** Claims a slot in `dir` (created if missing); throws when the directory is not usable. */
  static open(opts: SpoolOptions): UsageSpool {
    return new UsageSpool(opts);
  }

  /**
   * Re-appends every event the inherited segments hold without an ack (one segment in memory at a time) to this
   * process's segment, syncs it, then deletes the old files. Returns how many events were recovered.
   */
  async recover(): Promise<number> {
    if (this.closed) return 0;
    let recovered = 0;
    for (const path of this.inherited) {
      const { events, corrupt } = readSegment(path);
      if (corrupt) this.opts.log?.warn({ file: path, lines: corrupt }, 'usage spool: unreadable lines skipped (a torn last write)');
      for (const event of events) if (this.add(event)) recovered++;
    }
    await this.sync();
    for (const path of this.inherited) unlinkSync(path);
    for (const slot of this.adoptedSlots) releaseSlot(slot, this.owner, true);
    this.inherited = [];
    this.adoptedSlots = [];
    this.adopted += recovered;
    return recovered;
  }

  /**
   * Takes over the slots no live process owns (lock missing, or not refreshed for `staleAfterMs`): their segments
   * are recovered into this one's by the next `recover()`. Run at boot and periodically, so what a stopped replica
   * left is published without waiting for a boot on this directory. Returns how many slots were taken.
   */
  adoptOrphans(): number {
    if (this.closed) return 0;
    let taken = 0;
    let orphaned = 0;
    for (const name of readdirSync(this.opts.dir)) {
      const slot = join(this.opts.dir, name);
      if (!SLOT.test(name) || slot === this.slotDir || this.adoptedSlots.includes(slot)) continue;
      try {
        if (tryLock(slot, this.owner, this.staleAfterMs)) {
          this.inherited.push(...listSegments(slot).map((f) => join(slot, f)));
          this.adoptedSlots.push(slot);
          taken++;
        } else if (!liveLock(slot, this.staleAfterMs)) {
          for (const f of listSegments(slot)) orphaned += readSegment(join(slot, f)).events.length;
        }
      } catch (err) {
        // The slot went away under us (its owner closed it empty): nothing to take.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    this.orphaned = orphaned;
    return taken;
  }

  /** Refreshes this process's lock (its mtime): a lock not refreshed for `staleAfterMs` is taken over by others. */
  heartbeat(now = new Date()): void {
    if (this.closed) return;
    const lock = join(this.slotDir, LOCK);
    if (readOwner(lock)?.id !== this.owner.id) {
      this.opts.log?.error({ slot: this.slotDir }, 'usage spool: this process lost its slot lock (it did not refresh it in time)');
      return;
    }
    utimesSync(lock, now, now);
  }

  /**
   * Journals `event` (a synchronous write: once this returns, a crash of this process can no longer lose it). Returns
   * its entry when it is held in memory, null when it waits on disk only (memory full) or is already pending.
   */
  add(event: UsageRecordedEvent): SpoolEntry | null {
    if (this.closed) throw new Error('usage spool is closed');
    // A copy of an event already pending (recovered twice, e.g. after a crash between a compaction's copy and its
    // delete; or a publisher retry): the journaled one stands. Nothing is written: an ack line here would mark the
    // event acknowledged on disk although JetStream never took it.
    if (this.memory.has(event.eventId)) return null;
    if (this.current.bytes >= this.opts.segmentBytes) this.rotate();
    const segment = this.current;
    this.append(segment, { e: event });
    segment.events++;
    segment.oldestAt = Math.min(segment.oldestAt, occurredAt(event));
    if (this.memory.size >= this.opts.maxMemory) {
      segment.onDiskOnly++;
      return null;
    }
    const entry: SpoolEntry = { event, segment, inflight: false, acked: false };
    this.memory.set(event.eventId, entry);
    return entry;
  }

  /** JetStream stored it: the ack line goes in, memory lets it go, and a fully acked old segment is deleted. */
  ack(entry: SpoolEntry): void {
    if (entry.acked || this.closed) return;
    entry.acked = true;
    this.memory.delete(entry.event.eventId);
    this.ackIn(entry.segment, entry.event.eventId);
  }

  /** Pending entries in memory with no publish under way, oldest first. */
  due(max: number): SpoolEntry[] {
    const out: SpoolEntry[] = [];
    for (const entry of this.memory.values()) {
      if (!entry.inflight) out.push(entry);
      if (out.length >= max) break;
    }
    return out;
  }

  /** Reads events waiting on disk only back into memory while it has room, oldest segment first. */
  refill(): void {
    for (const segment of [...this.segments.values()].sort((a, b) => a.seq - b.seq)) {
      if (this.memory.size >= this.opts.maxMemory) return;
      if (segment.onDiskOnly === 0) continue;
      const { events } = readSegment(segment.path);
      let left = 0;
      for (const event of events) {
        if (this.memory.has(event.eventId)) continue;
        if (this.memory.size >= this.opts.maxMemory) {
          left++;
          continue;
        }
        this.memory.set(event.eventId, { event, segment, inflight: false, acked: false });
      }
      segment.onDiskOnly = left;
    }
  }

  /**
   * Old segments that are mostly acknowledged and whose live events are all in memory: those events are re-appended
   * to the current segment and the old file goes, so a few stuck events never pin many megabytes.
   */
  async compact(): Promise<void> {
    const moved: Segment[] = [];
    for (const segment of this.segments.values()) {
      if (segment === this.current || segment.onDiskOnly > 0) continue;
      const live = segment.events - segment.acked;
      if (live * 4 > segment.events) continue;
      if (this.current.bytes >= this.opts.segmentBytes) this.rotate();
      for (const entry of this.memory.values()) {
        if (entry.segment !== segment) continue;
        this.append(this.current, { e: entry.event });
        this.current.events++;
        this.current.oldestAt = Math.min(this.current.oldestAt, occurredAt(entry.event));
        entry.segment = this.current;
      }
      moved.push(segment);
    }
    if (moved.length === 0) return;
    await this.sync();
    for (const segment of moved) this.drop(segment);
  }

  /** Flushes every write so far to the disk (power-loss safe). Concurrent calls share one fdatasync. */
  async sync(): Promise<void> {
    while (this.syncing) await this.syncing;
    if (this.dirty.size === 0) return;
    const batch = [...this.dirty];
    this.dirty = new Set();
    this.syncing = (async () => {
      for (const segment of batch) {
        if (segment.fd !== null) await datasync(segment.fd);
        else {
          const fd = openSync(segment.path, 'a');
          try {
            await datasync(fd);
          } finally {
            closeSync(fd);
          }
        }
      }
    })().finally(() => (this.syncing = null));
    await this.syncing;
  }

  stats(now = Date.now()): SpoolStats {
    let events = 0;
    let bytes = 0;
    let oldest = Infinity;
    for (const s of this.segments.values()) {
      events += s.events - s.acked;
      bytes += s.bytes;
      if (s.onDiskOnly > 0) oldest = Math.min(oldest, s.oldestAt);
    }
    for (const entry of this.memory.values()) {
      oldest = Math.min(oldest, occurredAt(entry.event));
      break; // insertion order: the first is the oldest held
    }
    return {
      events,
      oldestAgeMs: events > 0 && Number.isFinite(oldest) ? Math.max(0, now - oldest) : 0,
      bytes,
      segments: this.segments.size,
      adopted: this.adopted,
      orphaned: this.orphaned,
    };
  }

  get pending(): number {
    return this.stats().events;
  }

  /** Syncs, closes the files and releases the slot: what is still unacknowledged stays for the next process. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.sync();
    this.closeNow();
  }

  /** `close()` without awaiting: for the process's `exit` event (every file is fdatasynced synchronously). */
  closeNow(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.segments.values()) {
      if (this.dirty.has(s) && s.fd !== null) fdatasyncSync(s.fd);
      if (s.fd !== null) closeSync(s.fd);
      s.fd = null;
      if (s.events === s.acked) unlinkQuietly(s.path);
    }
    this.dirty.clear();
    // An empty slot (and namespace folder) goes; one with events left stays for the next process.
    releaseSlot(this.slotDir, this.owner, true);
    try {
      rmdirSync(this.opts.dir);
    } catch {
      // other slots in use
    }
  }

  private ackIn(segment: Segment, eventId: string): void {
    this.append(segment, { a: eventId });
    segment.acked++;
    if (segment !== this.current && segment.acked >= segment.events) this.drop(segment);
  }

  private append(segment: Segment, record: { e: UsageRecordedEvent } | { a: string }): void {
    const line = Buffer.from(JSON.stringify(record) + '\n');
    const fd = segment.fd ?? openSync(segment.path, 'a');
    try {
      writeSync(fd, line);
    } finally {
      if (segment.fd === null) closeSync(fd);
    }
    segment.bytes += line.length;
    this.dirty.add(segment);
  }

  private rotate(): void {
    const old = this.current;
    this.current = this.openSegment();
    // Its acks still land in it, each opening the file: rare (only what was pending when it filled up).
    if (old.fd !== null) closeSync(old.fd);
    old.fd = null;
    if (old.acked >= old.events) this.drop(old);
  }

  private openSegment(): Segment {
    const seq = this.nextSeq++;
    const path = join(this.slotDir, `seg-${String(seq).padStart(12, '0')}.jsonl`);
    const segment: Segment = { seq, path, fd: openSync(path, 'a'), bytes: 0, events: 0, acked: 0, onDiskOnly: 0, oldestAt: Infinity };
    this.segments.set(seq, segment);
    return segment;
  }

  private drop(segment: Segment): void {
    if (segment.fd !== null) closeSync(segment.fd);
    segment.fd = null;
    this.segments.delete(segment.seq);
    this.dirty.delete(segment);
    try {
      unlinkSync(segment.path);
    } catch (err) {
      this.opts.log?.warn({ err: (err as Error).message, file: segment.path }, 'usage spool: acknowledged segment not deleted');
    }
  }

  /** The lowest-numbered slot free (or left by a dead process). */
  private claimSlot(): string {
    for (let n = 0; ; n++) {
      const slot = join(this.opts.dir, `slot-${n}`);
      mkdirSync(slot, { recursive: true });
      if (tryLock(slot, this.owner, this.staleAfterMs)) return slot;
    }
  }
}

function listSegments(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => SEGMENT.test(f))
    .sort();
}

/**
 * A segment's pending events, in order; unreadable lines are counted and skipped. Several lines of one event count as
 * one pending event; an ack line acknowledges only an event written before it (an ack alone creates nothing), and an
 * event line after its ack is pending again (a later copy: publishing it twice is harmless, dropping it is not).
 */
function readSegment(path: string): { events: UsageRecordedEvent[]; corrupt: number } {
  const pending = new Map<string, UsageRecordedEvent>();
  let corrupt = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      const record = JSON.parse(line) as { e?: UsageRecordedEvent; a?: string };
      if (record.e && typeof record.e.eventId === 'string') pending.set(record.e.eventId, record.e);
      else if (typeof record.a === 'string') pending.delete(record.a);
      else corrupt++;
    } catch {
      corrupt++;
    }
  }
  return { events: [...pending.values()], corrupt };
}

function occurredAt(event: UsageRecordedEvent): number {
  const t = Date.parse(event.occurredAt);
  return Number.isFinite(t) ? t : Date.now();
}

/** Who holds a slot: a random id per process start (pids repeat across containers sharing a hostname). */
interface Owner {
  id: string;
  host: string;
  pid: number;
  startedAt: string;
}

/**
 * Takes `slot`'s lock. A lock is created exclusively (a fully written temp file hard-linked into place: `link` fails
 * if the lock exists, and a reader never sees a half-written one). A lock whose owner stopped refreshing it (mtime
 * older than `staleAfterMs`) is taken over under a guard directory (`mkdir` is exclusive too), re-checked inside it,
 * so two processes booting together never both take one slot. False when someone else holds it.
 */
function tryLock(slot: string, me: Owner, staleAfterMs: number): boolean {
  const lock = join(slot, LOCK);
  if (createLock(lock, me)) return true;
  if (!stale(lock, staleAfterMs)) return false;
  const guard = join(slot, TAKEOVER);
  try {
    mkdirSync(guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !stale(guard, staleAfterMs)) return false;
    // A taker died inside the guard (a window of microseconds): the guard is as stale as the lock it guarded.
    try {
      rmdirSync(guard);
      mkdirSync(guard);
    } catch {
      return false;
    }
  }
  try {
    if (!stale(lock, staleAfterMs)) return false;
    try {
      unlinkSync(lock);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    }
    return createLock(lock, me);
  } finally {
    try {
      rmdirSync(guard);
    } catch {
      // already gone
    }
  }
}

function createLock(lock: string, me: Owner): boolean {
  const temp = `${lock}.${me.id}`;
  try {
    writeFileSync(temp, JSON.stringify(me));
    linkSync(temp, lock);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // EEXIST: held. ENOENT: the slot was removed meanwhile (its owner closed it empty).
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    throw err;
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // not created
    }
  }
}

/** Whether `path` (a lock or a guard) has not been refreshed for `staleAfterMs`; a missing one is stale. */
function stale(path: string, staleAfterMs: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > staleAfterMs;
  } catch {
    return true;
  }
}

function liveLock(slot: string, staleAfterMs: number): boolean {
  return !stale(join(slot, LOCK), staleAfterMs);
}

function readOwner(lock: string): Owner | null {
  try {
    return JSON.parse(readFileSync(lock, 'utf8')) as Owner;
  } catch {
    return null;
  }
}

/** Drops the lock only if it is still `me`'s (one taken over from a stalled process is not ours to delete). */
function releaseSlot(slot: string, me: Owner, remove: boolean): void {
  const lock = join(slot, LOCK);
  if (readOwner(lock)?.id !== me.id) return;
  try {
    unlinkSync(lock);
    if (remove) rmdirSync(slot);
  } catch {
    // A slot with files left in it stays for the next process.
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone (a process that took this slot over recovered it)
  }
}
