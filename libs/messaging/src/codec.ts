const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** JSON on the wire. bigint never crosses NATS: money travels as decimal strings of nano-USD. */
export function encode(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function decode<T>(data: Uint8Array): T {
  return JSON.parse(decoder.decode(data)) as T;
}
