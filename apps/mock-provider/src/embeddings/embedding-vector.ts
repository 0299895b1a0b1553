import { hashText, seededRandom } from '../completion/word-generator';

/**
 * A unit-length vector determined by the text alone: the same input always embeds the same way, different inputs
 * almost never collide, and cosine similarity behaves (a vector with itself is exactly 1).
 */
export function embeddingVector(text: string, dimensions: number): number[] {
  const next = seededRandom(hashText(text));
  const raw = Array.from({ length: dimensions }, () => next() * 2 - 1);
  const norm = Math.hypot(...raw) || 1;
  // Rounded to float32, the precision providers send, so the base64 form decodes to exactly these numbers.
  return raw.map((x) => Math.fround(x / norm));
}

/** `encoding_format: "base64"`: the little-endian float32 bytes of the vector. */
export function toBase64(vector: readonly number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}
