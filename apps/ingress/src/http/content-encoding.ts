import { pipeline, type Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { TfError } from '@tokenflow/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * Fastify `preParsing` hook: a compressed body is decompressed on the way in, and since Fastify counts the body
 * limit on the stream returned here, a gzip bomb stops at the limit (413) without ever inflating past it. An
 * encoding we cannot decode is a 415, never ignored (the bytes would be parsed as if they were JSON).
 */
export async function decodeContentEncoding(req: FastifyRequest, _reply: FastifyReply, payload: Readable): Promise<Readable> {
  const header = req.headers['content-encoding'];
  if (header === undefined) return payload;
  const coding = header.trim().toLowerCase();
  if (coding === '' || coding === 'identity') return payload;
  const decoder = DECODERS[coding];
  if (!decoder) {
    throw new TfError('unsupported_media_type', `Unsupported Content-Encoding '${coding.slice(0, 64)}': send the body uncompressed, or as gzip, deflate or br.`);
  }
  const decoded = decoder() as Transform & { receivedEncodedLength: number };
  // Fastify compares this with Content-Length (the encoded size), and the decoded bytes with the body limit.
  decoded.receivedEncodedLength = 0;
  payload.on('data', (chunk: Buffer) => (decoded.receivedEncodedLength += chunk.length));
  // A corrupt body fails the decoder with a zlib code, which the exception filter turns into a 400.
  pipeline(payload, decoded, () => undefined);
  return decoded;
}
