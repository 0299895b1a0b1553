export interface StopCut {
  /** The tokens to send: everything before the stop sequence (the last one possibly cut short). */
  shown: string[];
  /** Tokens generated up to the end of the stop sequence: billed, although the sequence itself is not sent. */
  generated: number;
  sequence: string;
}

/** Cuts the text the tokens spell at the earliest of the stop sequences, as a provider honouring `stop` does. */
export function cutAtStopSequence(tokens: readonly string[], stops: readonly string[]): StopCut | undefined {
  const text = tokens.join('');
  let best: { at: number; sequence: string } | undefined;
  for (const sequence of stops) {
    const at = sequence ? text.indexOf(sequence) : -1;
    if (at >= 0 && (!best || at < best.at)) best = { at, sequence };
  }
  if (!best) return undefined;
  const end = best.at + best.sequence.length;
  const shown: string[] = [];
  let generated = 0;
  let offset = 0;
  for (const token of tokens) {
    if (offset >= end) break;
    generated++;
    if (offset < best.at) {
      const visible = token.slice(0, best.at - offset);
      if (visible) shown.push(visible);
    }
    offset += token.length;
  }
  return { shown, generated, sequence: best.sequence };
}
