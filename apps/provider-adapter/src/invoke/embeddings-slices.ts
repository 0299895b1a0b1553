/** Well under NATS's default 1 MB max_payload, with room for the frame around it. */
const MAX_FRAME_BYTES = 512 * 1024;

/** An embeddings list → lists of consecutive items, each small enough for one frame (a single vector is ~60 KB). */
export function sliceEmbeddings(response: Record<string, unknown>): Record<string, unknown>[] {
  const data = Array.isArray(response.data) ? (response.data as unknown[]) : [];
  const parts: Record<string, unknown>[] = [];
  let slice: unknown[] = [];
  let size = 0;
  for (const item of data) {
    const bytes = JSON.stringify(item).length;
    if (slice.length > 0 && size + bytes > MAX_FRAME_BYTES) {
      parts.push({ ...response, data: slice });
      slice = [];
      size = 0;
    }
    slice.push(item);
    size += bytes;
  }
  parts.push({ ...response, data: slice });
  return parts;
}
