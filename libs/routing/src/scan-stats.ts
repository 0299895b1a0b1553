/** Marker-word kinds counted per request (`Kw` in keywords.ts). */
export const KW_BITS = 11;

/** The scan's counters: what the dense features and the category rules are computed from. */
export interface ScanStats {
  totalChars: number;
  readChars: number;
  messages: number;
  hasSystem: number;
  assistantTurns: number;
  toolTurns: number;
  words: number;
  distinctWords: number;
  numbers: number;
  distinctNumbers: number;
  maxDigits: number;
  decimals: number;
  fractions: number;
  percents: number;
  currency: number;
  sentences: number;
  questionMarks: number;
  lines: number;
  mcOptions: number;
  whStart: number;
  codeFences: number;
  braces: number;
  semicolons: number;
  codeOps: number;
  indentedLines: number;
  latex: number;
  mathSymbols: number;
  operators: number;
  letters: number;
  cjk: number;
  cyrillic: number;
  otherScript: number;
  tools: number;
  jsonFormat: number;
  maxTokens: number;
  images: number;
  /** Distinct marker words per kind (Kw bit index → count). */
  kw: Int32Array;
}

export function newStats(): ScanStats {
  return {
    totalChars: 0, readChars: 0, messages: 0, hasSystem: 0, assistantTurns: 0, toolTurns: 0, words: 0, distinctWords: 0,
    numbers: 0, distinctNumbers: 0, maxDigits: 0, decimals: 0, fractions: 0, percents: 0, currency: 0, sentences: 0,
    questionMarks: 0, lines: 0, mcOptions: 0, whStart: 0, codeFences: 0, braces: 0, semicolons: 0, codeOps: 0,
    indentedLines: 0, latex: 0, mathSymbols: 0, operators: 0, letters: 0, cjk: 0, cyrillic: 0, otherScript: 0, tools: 0,
    jsonFormat: 0, maxTokens: 0, images: 0, kw: new Int32Array(KW_BITS),
  };
}

export function resetStats(s: ScanStats): void {
  s.totalChars = s.readChars = s.messages = s.hasSystem = s.assistantTurns = s.toolTurns = 0;
  s.words = s.distinctWords = s.numbers = s.distinctNumbers = s.maxDigits = 0;
  s.decimals = s.fractions = s.percents = s.currency = s.sentences = s.questionMarks = s.lines = 0;
  s.mcOptions = s.whStart = s.codeFences = s.braces = s.semicolons = s.codeOps = s.indentedLines = 0;
  s.latex = s.mathSymbols = s.operators = s.letters = s.cjk = s.cyrillic = s.otherScript = 0;
  s.tools = s.jsonFormat = s.maxTokens = s.images = 0;
  s.kw.fill(0);
}
