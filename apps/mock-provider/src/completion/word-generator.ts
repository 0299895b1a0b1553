const WORDS = [
  'the', 'quick', 'answer', 'is', 'that', 'mock', 'models', 'never', 'hallucinate', 'because', 'every', 'word',
  'comes', 'from', 'a', 'fixed', 'list', 'seeded', 'by', 'your', 'last', 'message', 'so', 'tests', 'stay',
  'stable', 'across', 'runs', 'and', 'streams', 'match', 'plain', 'responses', 'token', 'for', 'gateway',
  'latency', 'budget', 'upstream', 'provider', 'request', 'context', 'window', 'cache', 'route', 'channel',
  'retry', 'fallback', 'quota', 'billing', 'ledger', 'signal', 'stream', 'chunk', 'delta', 'finish', 'usage',
  'prompt', 'reply', 'system', 'user', 'assistant', 'tool', 'call',
] as const;

/** FNV-1a: a stable 32-bit hash, so the same prompt always yields the same completion. */
export function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a small seeded generator of numbers in [0, 1), so "random" output is reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` words picked by a mulberry32 generator started at `seed`. */
export function generateWords(seed: number, count: number): string[] {
  const next = seededRandom(seed);
  return Array.from({ length: count }, () => WORDS[Math.floor(next() * WORDS.length)]);
}

/** One token per word: each followed by a space except the last, so the tokens concatenate to the text. */
export function wordsToTokens(words: readonly string[]): string[] {
  return words.map((word, i) => (i < words.length - 1 ? `${word} ` : word));
}
