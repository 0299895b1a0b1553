/** Reads at most `limit` bytes of an upstream body as text (error bodies, JSON answers), dropping the connection past it. */
export async function readLimited(body: AsyncIterable<Buffer> & { destroy(err?: Error): unknown }, limit: number): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const buf of body) {
    parts.push(buf);
    size += buf.length;
    if (size >= limit) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(parts).toString('utf8').slice(0, limit);
}
