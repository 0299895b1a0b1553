import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Streams, Subjects, USAGE_STREAM } from '@tokenflow/contracts';
import { NatsBus } from '@tokenflow/messaging';
import { testNamespace, testUrls, usageEvent, waitFor } from '@tokenflow/testing';
import { UsagePublisher } from '../src/usage/usage.publisher';

/**
 * The usage publisher against the real JetStream: an event it cannot publish (the stream does not exist yet, the
 * connection is closed) is kept on disk, and a new publisher on the same directory publishes it once JetStream takes
 * it, under the same event id, so the stream holds it once.
 */
describe('usage spool (real NATS + JetStream)', () => {
  const ns = testNamespace('usage-spool');
  const dir = mkdtempSync(join(tmpdir(), 'tf-usage-int-'));
  const config = { USAGE_SPOOL_DIR: dir, USAGE_SPOOL_MEMORY_EVENTS: 1_000, USAGE_SPOOL_SEGMENT_BYTES: 1 << 20, TF_NAMESPACE: ns };
  let admin: NatsBus;

  const spooledText = () => {
    const slot = join(dir, ns, 'slot-0');
    if (!existsSync(slot)) return '';
    return readdirSync(slot)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => readFileSync(join(slot, f), 'utf8'))
      .join('');
  };

  before(async () => {
    admin = await NatsBus.connect({ url: testUrls.nats, name: 'usage-spool-test', namespace: ns });
  });
  after(async () => {
    await admin.durable.deleteStream(USAGE_STREAM);
    await admin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('spools what JetStream refuses, and a restarted publisher replays it exactly once', async () => {
    // (a) No stream stores the subject in this namespace yet: the publish fails, the event stays on disk.
    const bus1 = await NatsBus.connect({ url: testUrls.nats, name: 'usage-spool-1', namespace: ns });
    const first = new UsagePublisher(bus1, config);
    await first.onModuleInit();
    const missing = usageEvent('req_missing_stream');
    await first.record(missing);
    assert.equal(first.stats().events, 1);
    assert.match(spooledText(), /"eventId":"req_missing_stream:1"/);

    // (a') A closed connection: the same.
    await bus1.close();
    const closed = usageEvent('req_closed_connection');
    await first.record(closed);
    assert.equal(first.stats().events, 2);
    await first.drain(Date.now() + 200);
    first.close(); // the process exits: its slot is free for the next start
    assert.match(spooledText(), /"eventId":"req_closed_connection:1"/);

    // (b) The stream exists now (billing booted): a new publisher on the same directory replays both.
    await admin.durable.ensureStream(Streams.usage);
    const bus2 = await NatsBus.connect({ url: testUrls.nats, name: 'usage-spool-2', namespace: ns });
    const second = new UsagePublisher(bus2, config);
    await second.onModuleInit();
    await waitFor(() => second.stats().events === 0, 10_000, 'spool drained');
    // Published again by a confused caller: JetStream's dedupe (msgId = event id) keeps one copy.
    await second.record(missing);
    const stored = await admin.durable.readAll(Streams.usage, Subjects.usageRecorded);
    assert.deepEqual(stored.map((m) => m.payload.eventId).sort(), ['req_closed_connection:1', 'req_missing_stream:1']);
    await second.drain(Date.now() + 1_000);
    second.close();
    await bus2.close();
    assert.equal(spooledText(), '', 'nothing left to replay');
  });
});
