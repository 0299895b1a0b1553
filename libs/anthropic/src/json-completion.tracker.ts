/** JSON number states (RFC 8259 grammar); ACCEPTING ones end a complete number. */
const enum Num {
  Minus = 1,
  Zero,
  Int,
  Dot,
  Frac,
  Exp,
  ExpSign,
  ExpDigits,
}

const ACCEPTING = new Set<number>([Num.Zero, Num.Int, Num.Frac, Num.ExpDigits]);
/** `true`, `false` and `null` by their first character. */
const LITERALS = new Map<number, string>([
  [0x74, 'true'],
  [0x66, 'false'],
  [0x6e, 'null'],
]);

const isWhitespace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/**
 * Whether text streamed in fragments is, so far, one complete JSON value: the question `JSON.parse` answers, in
 * time linear in the whole text rather than in every prefix (re-parsing on each fragment is quadratic over a
 * long tool call). Containers are followed by their brackets outside strings, not validated inside (`{"a":}`
 * counts as complete); a top-level scalar is checked fully; anything but whitespace after a complete value makes
 * the text invalid for good.
 */
export class JsonCompletionTracker {
  /** Closing brackets expected, innermost last. */
  private readonly closers: number[] = [];
  private started = false;
  private done = false;
  private invalid = false;
  private inString = false;
  private escaped = false;
  /** A top-level number being read (a `Num` state), else 0. */
  private num = 0;
  /** A top-level `true`/`false`/`null` being read, and how much of it has been. */
  private literal = '';
  private literalAt = 0;

  get complete(): boolean {
    return !this.invalid && (this.done || ACCEPTING.has(this.num));
  }

  push(fragment: string): void {
    for (let i = 0; i < fragment.length && !this.invalid; i++) this.step(fragment.charCodeAt(i));
  }

  private step(c: number): void {
    if (this.inString) return this.stringChar(c);
    if (this.num) return this.numberChar(c);
    if (this.literal) return this.literalChar(c);
    if (this.closers.length) return this.containerChar(c);
    if (isWhitespace(c)) return;
    if (this.done || this.started) {
      this.invalid = true;
      return;
    }
    this.started = true;
    if (c === 0x7b) this.closers.push(0x7d);
    else if (c === 0x5b) this.closers.push(0x5d);
    else if (c === 0x22) this.inString = true;
    else if (c === 0x2d) this.num = Num.Minus;
    else if (c === 0x30) this.num = Num.Zero;
    else if (isDigit(c)) this.num = Num.Int;
    else if (LITERALS.has(c)) {
      this.literal = LITERALS.get(c) ?? '';
      this.literalAt = 1;
    } else this.invalid = true;
  }

  private stringChar(c: number): void {
    if (this.escaped) this.escaped = false;
    else if (c === 0x5c) this.escaped = true;
    else if (c === 0x22) {
      this.inString = false;
      if (!this.closers.length) this.done = true;
    } else if (c < 0x20) this.invalid = true;
  }

  private containerChar(c: number): void {
    if (c === 0x22) this.inString = true;
    else if (c === 0x7b) this.closers.push(0x7d);
    else if (c === 0x5b) this.closers.push(0x5d);
    else if (c === 0x7d || c === 0x5d) {
      if (this.closers.pop() !== c) this.invalid = true;
      else if (!this.closers.length) this.done = true;
    }
  }

  private literalChar(c: number): void {
    if (c !== this.literal.charCodeAt(this.literalAt)) {
      this.invalid = true;
      return;
    }
    if (++this.literalAt === this.literal.length) {
      this.literal = '';
      this.done = true;
    }
  }

  private numberChar(c: number): void {
    const next = numberStep(this.num, c);
    if (next) {
      this.num = next;
      return;
    }
    // The number ended: complete if it could end here, and only whitespace may follow it.
    this.invalid = !ACCEPTING.has(this.num) || !isWhitespace(c);
    this.num = 0;
    this.done = true;
  }
}

function numberStep(state: number, c: number): number {
  const digit = isDigit(c);
  const dot = c === 0x2e;
  const exp = c === 0x65 || c === 0x45;
  switch (state) {
    case Num.Minus:
      return c === 0x30 ? Num.Zero : digit ? Num.Int : 0;
    case Num.Zero:
      return dot ? Num.Dot : exp ? Num.Exp : 0;
    case Num.Int:
      return digit ? Num.Int : dot ? Num.Dot : exp ? Num.Exp : 0;
    case Num.Dot:
      return digit ? Num.Frac : 0;
    case Num.Frac:
      return digit ? Num.Frac : exp ? Num.Exp : 0;
    case Num.Exp:
      return c === 0x2b || c === 0x2d ? Num.ExpSign : digit ? Num.ExpDigits : 0;
    case Num.ExpSign:
    case Num.ExpDigits:
      return digit ? Num.ExpDigits : 0;
    default:
      return 0;
  }
}
