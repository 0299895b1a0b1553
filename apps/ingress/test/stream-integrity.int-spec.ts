import { strict as assert } from 'node:assert';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { generateApiKey } from '@tokenflow/contracts';
import { testNamespace, testUrls, waitFor } from '@tokenflow/testing';
import { ingressEnvSchema } from '../src/config';
import { createIngressApp, type IngressApp } from '../src/ingress.app';
import { chatRequest, endFrame, type ScriptedPeers, scriptedPeers, sleep, sseEvents, textChunk } from './support/scripted-peers';

/** Bytes of content per chunk in the slow-reader case: enough volume to fill the sockets' buffers quickly. */
const BIG = 'x'.repeat(1_024);

/**
 * Stream integrity and backpressure at the ingress, with the adapter played over the real NATS server: a frame lost
 * on the way ends the answer with an error (never `[DONE]`, never a truncated 200 body), and a client that stops
 * reading cancels its upstream once its bounded inbox is full, instead of growing the ingress's memory.
 */
describe('ingress stream integrity and backpressure (real NATS, scripted peers)', () => {
  const ns = testNamespace('stream-integrity');
  const key = generateApiKey();
  let ingress: IngressApp;
  let peers: ScriptedPeers;
  const sentBySlowStream = { frames: 0 };

  before(async () => {
    peers = await scriptedPeers(ns, {
      // Frame 2 never arrives (as across a NATS reconnect): 0, 1, 3, 4, end.
      gapped: async (send) => {
        for (const seq of [0, 1, 3, 4]) send(textChunk(seq, `t${seq} `));
        send(endFrame(5));
      },
      // Floods 1 KB chunks until cancelled (or 60 MB): far more than any socket buffers.
      flood: async (send, cancelled) => {
        let seq = 0;
        while (!cancelled() && seq < 60_000) {
          for (let i = 0; i < 200; i++) send(textChunk(seq++, BIG));
          sentBySlowStream.frames = seq;
          await sleep(1);
        }
        if (!cancelled()) send(endFrame(seq));
      },
    });
    ingress = await createIngressApp(
      ingressEnvSchema.parse({
        NATS_URL: testUrls.nats,
        TF_NAMESPACE: ns,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'error',
        STREAM_BUFFER_MAX_FRAMES: '256',
        STREAM_BUFFER_MAX_BYTES: String(1024 * 1024),
      }),
    );
  });
  after(async () => {
    await ingress.close();
    await peers.close();
  });

  const metric = async (pattern: RegExp) => (await (await fetch(`${ingress.url}/metrics`)).text()).match(pattern)?.[1];

  it('ends a stream with a gap in an error event (no [DONE]), cancels the attempt and counts the gap', async () => {
    const res = await chatRequest(ingress.url, key, 'gapped', true);
    assert.equal(res.status, 200);
    const events = sseEvents(await res.text());
    assert.ok(!events.includes('[DONE]'), 'never [DONE] after a gap');
    const contents = events.flatMap((e) => ((e as { choices?: { delta: { content: string } }[] }).choices ?? []).map((c) => c.delta.content));
    assert.deepEqual(contents, ['t0 ', 't1 '], 'what came before the gap, nothing after it');
    const last = events.at(-1) as { error?: { code: string; type: string; message: string } };
    assert.equal(last.error?.code, 'upstream_error');
    assert.equal(last.error?.type, 'api_error');
    assert.match(last.error?.message ?? '', /lost data in transit/);
    await waitFor(() => peers.cancels.some((c) => c.reason === 'stream_gap'), 2_000, 'the attempt cancelled');
    assert.equal(await metric(/^tokenflow_stream_gaps_total\{service="ingress"\} (\d+)$/m), '1');
    assert.equal(await metric(/^tokenflow_streams_cut_total\{reason="stream_gap",service="ingress"\} (\d+)$/m), '1');
  });

  it('answers a non-stream request with a gap 502, not a truncated body', async () => {
    const res = await chatRequest(ingress.url, key, 'gapped', false);
    assert.equal(res.status, 502);
    const body = (await res.json()) as { error: { code: string; type: string } };
    assert.deepEqual([body.error.code, body.error.type], ['upstream_error', 'api_error']);
    assert.equal(await metric(/^tokenflow_stream_gaps_total\{service="ingress"\} (\d+)$/m), '2');
  });

  it('cancels the upstream of a client that stops reading once its bounded inbox is full, and tells it why', async () => {
    const cancelsBefore = peers.cancels.length;
    // A raw client that sends its request and then reads nothing: the server's writes fill the socket buffers.
    const socket = connect(Number(new URL(ingress.url).port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.pause();
    const body = JSON.stringify({ model: 'flood', messages: [{ role: 'user', content: 'hi' }], stream: true });
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await waitFor(() => peers.cancels.length > cancelsBefore, 15_000, 'the slow client’s attempt cancelled');
    const cancel = peers.cancels.at(-1)!;
    assert.equal(cancel.reason, 'slow_client');
    assert.ok(sentBySlowStream.frames < 60_000, `the producer was stopped (${sentBySlowStream.frames} frames sent)`);
    assert.equal(await metric(/^tokenflow_streams_cut_total\{reason="slow_client",service="ingress"\} (\d+)$/m), '1');

    // Reading now, the client gets what was already written, then the error event, and the response ends (the
    // chunked body's last chunk; the connection itself may stay open for keep-alive).
    const chunks: Buffer[] = [];
    socket.on('data', (b: Buffer) => chunks.push(b));
    socket.resume();
    await waitFor(() => Buffer.concat(chunks).includes('\r\n0\r\n\r\n'), 10_000, 'the end of the response');
    socket.destroy();
    const text = Buffer.concat(chunks).toString('utf8');
    const sse = text.slice(text.indexOf('\r\n\r\n') + 4);
    // Chunked transfer framing aside, the last event is the error and there is no [DONE].
    assert.ok(!sse.includes('data: [DONE]'));
    assert.match(sse, /data: \{"error":\{"message":"The response was cancelled: the client read it too slowly[^"]*","type":"service_unavailable"/);
    const delivered = (sse.match(/"content":"x{1024}"/g) ?? []).length;
    assert.ok(delivered < sentBySlowStream.frames, `${delivered} of ${sentBySlowStream.frames} chunks reached the client`);
  });
});
