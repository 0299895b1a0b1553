import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { type ConsumerDeclaration, DurableConsumers, type StreamDeclaration, Streams, streamOf } from './streams';
import { type DurableSubject, Subjects } from './subjects';

/** Every durable subject; a new one added to `DurableEventMap` and not listed here fails to compile. */
const DURABLE_SUBJECTS: Record<DurableSubject, true> = {
  [Subjects.usageRecorded]: true,
  [Subjects.billingHoldRelease]: true,
  [Subjects.billingHoldsPlaced]: true,
  [Subjects.requestLogged]: true,
};

const streams: StreamDeclaration[] = Object.values(Streams);
const consumers: ConsumerDeclaration[] = Object.values(DurableConsumers);

describe('JetStream declarations', () => {
  it('stores every durable subject in exactly one stream', () => {
    for (const subject of Object.keys(DURABLE_SUBJECTS) as DurableSubject[]) {
      assert.equal(streams.filter((s) => s.subjects.includes(subject)).length, 1, subject);
      assert.ok(streamOf(subject).subjects.includes(subject));
    }
  });

  it('caps the request log stream in bytes, and never the money stream (its events are never discarded)', () => {
    assert.equal((Streams.usage as StreamDeclaration).maxBytes, undefined);
    assert.ok(Streams.requests.maxBytes !== undefined && Streams.requests.maxBytes <= 1024 ** 3);
  });

  it('declares each stream name once', () => {
    assert.equal(new Set(streams.map((s) => s.name)).size, streams.length);
  });

  it('gives every consumer a declared stream, a subject of that stream and a durable name of its own', () => {
    for (const c of consumers) {
      assert.ok(streams.includes(c.stream), c.durable);
      if (c.filterSubject) assert.ok(c.stream.subjects.includes(c.filterSubject), c.durable);
      assert.ok(c.maxDeliver >= 1 && c.maxBatch >= 1 && c.ackWaitMs > 0, c.durable);
    }
    assert.equal(new Set(consumers.map((c) => `${c.stream.name}/${c.durable}`)).size, consumers.length);
  });
});
