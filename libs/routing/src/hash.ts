/**
 * 32-bit hashing for the feature scan. Tokens are hashed incrementally, one UTF-16 code unit at a time (FNV-1a), so
 * the scan never builds a substring; buckets come from a murmur3 finaliser over the token hash (FNV alone spreads
 * its low bits poorly, and buckets are the low bits).
 */
export const FNV_OFFSET = 0x811c9dc5 | 0;

// Hashes are kept as signed int32 (never `>>> 0`): V8 then keeps them unboxed in registers and typed arrays.

/** One FNV-1a step over a UTF-16 code unit. */
export function fnvStep(h: number, code: number): number {
  return Math.imul(h ^ code, 0x01000193);
}

/** FNV-1a of a whole (lower-case) string: what the scan computes for the same token. */
export function fnvString(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) h = fnvStep(h, s.charCodeAt(i));
  return h;
}

/** murmur3's 32-bit finaliser: every input bit reaches every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** An ordered pair of token hashes as one hash (bigrams): "new york" ≠ "york new" (bucketHash mixes it further). */
export function pairHash(a: number, b: number): number {
  return Math.imul(a, 0x9e3779b1) ^ b ^ 0x5bd1e995;
}

/** The hash of a token's bucket under a seed (unigrams and bigrams share the table). */
export function bucketHash(h: number, seed: number): number {
  return fmix32(h ^ seed);
}

/** A small seeded PRNG (mulberry32) for deterministic shuffles in training. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
