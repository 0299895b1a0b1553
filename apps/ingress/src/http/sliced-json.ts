import { randomBytes } from 'node:crypto';

/** Arrays longer than this are serialized in slices. */
const LARGE_ARRAY = 2_048;
const SLICE = 512;
/** Serializing work between turns of the event loop. */
const SLICE_MS = 4;

/**
 * `JSON.stringify(value)` for a response that may be large (32k chunks of logprobs folded into one completion):
 * long arrays are serialized a slice at a time, with the event loop free between slices, so one large answer does
 * not hold up everybody else's. The output is byte for byte what `JSON.stringify` would give.
 */
export async function stringifyInSlices(value: unknown): Promise<string> {
  const large: unknown[][] = [];
  // A marker no caller can forge: a fresh nonce, and a NUL (escaped in any string JSON.stringify writes).
  const nonce = randomBytes(8).toString('hex');
  const marker = (i: number) => `\u0000${nonce}:${i}\u0000`;
  const head = JSON.stringify(value, (_key, v: unknown) => {
    if (Array.isArray(v) && v.length > LARGE_ARRAY) return marker(large.push(v) - 1);
    return v;
  });
  if (large.length === 0) return head;
  const out: string[] = [];
  let from = 0;
  let sliceStart = performance.now();
  for (let i = 0; i < large.length; i++) {
    const quoted = JSON.stringify(marker(i));
    const at = head.indexOf(quoted, from);
    out.push(head.slice(from, at), '[');
    const array = large[i];
    for (let start = 0; start < array.length; start += SLICE) {
      const slice = JSON.stringify(array.slice(start, start + SLICE));
      out.push(start === 0 ? '' : ',', slice.slice(1, -1));
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    out.push(']');
    from = at + quoted.length;
  }
  out.push(head.slice(from));
  return out.join('');
}
