import type { Category } from './classification';
import type { ScanStats } from './scan-stats';
import { Kw, kwCount } from './keywords';

/**
 * The task category, by rules over the scan's counters (the training data has no category labels, so this part is
 * not learnt). First match wins:
 *
 * 1. `tools`: the request offers tools, or the conversation already has tool calls/results.
 * 2. `extraction`: `response_format` asks for JSON.
 * 3. `code`: code score ≥ 3 — a ``` fence counts 3, braces (unless there is LaTeX), semicolons at line ends,
 *    `==` `=>` `->` `&&` `::` and indented lines count ½ each (capped), each distinct programming word or phrase
 *    (python, function, compile, regex, query, linked list, binary search, this bug…) 1 — or at least two distinct
 *    programming words or phrases ("write a Python function…", "implement a binary search in Java").
 * 4. `math`: math score ≥ 3 and ≥ the reasoning score — LaTeX commands count 2 (up to 3 of them), operators/math
 *    symbols ½ each (capped at 3), distinct numbers ¾ each (up to 4), a percent/currency/fraction/decimal 1, each
 *    distinct math word (total, each, how many, percent, solve, equation, integral…) 1, each proof word (prove, lemma,
 *    theorem…) 1 when there is other math.
 * 5. `reasoning`: reasoning score ≥ 2 — each distinct proof word counts 2, each reasoning word (why, logic, deduce,
 *    justify, step by step…) 1.
 * 6. `extraction`: an extraction word (extract, parse, summarize, json, table…) and material to work on (≥ 300
 *    characters).
 * 7. `writing`: a writing word (write, essay, poem, email, rewrite, translate…).
 * 8. `chat`: a chat word (hi, thanks, how are you…) in a short message (< 200 characters).
 * 9. `knowledge`: a question — a question mark, a question word first (what, who, how, is, can…) or lettered
 *    multiple-choice options.
 * 10. otherwise `chat`.
 */
export function categorize(s: ScanStats): Category {
  const kw = s.kw;
  if (s.tools > 0 || s.toolTurns > 0) return 'tools';
  if (s.jsonFormat) return 'extraction';

  // LaTeX (\frac{1}{2}) brings braces too: then they are math, not code.
  const braces = s.latex > 0 ? 0 : Math.min(s.braces, 6);
  const code = 3 * Math.min(s.codeFences, 2) + (braces + Math.min(s.semicolons, 6) + Math.min(s.codeOps, 6) + Math.min(s.indentedLines, 6)) / 2 + kwCount(kw, Kw.Code);
  // Two distinct programming words or phrases ("a Python function", "binary search in Java", "refactor this
  // TypeScript class") make a coding task even without code in the prompt, before the writing words can claim it.
  if (code >= 3 || kwCount(kw, Kw.Code) >= 2) return 'code';

  const proof = kwCount(kw, Kw.Proof);
  const otherMath =
    2 * Math.min(s.latex, 3) +
    Math.min(s.operators + s.mathSymbols, 6) / 2 +
    (3 * Math.min(s.distinctNumbers, 4)) / 4 +
    (s.percents > 0 || s.currency > 0 || s.fractions > 0 || s.decimals > 0 ? 1 : 0) +
    kwCount(kw, Kw.Math);
  const math = otherMath + (otherMath >= 1 ? proof : 0);
  const reasoning = 2 * proof + kwCount(kw, Kw.Reasoning);
  if (math >= 3 && math >= reasoning) return 'math';
  if (reasoning >= 2) return 'reasoning';

  if (kwCount(kw, Kw.Extraction) > 0 && s.totalChars >= 300) return 'extraction';
  if (kwCount(kw, Kw.Writing) > 0) return 'writing';
  if (kwCount(kw, Kw.Chat) > 0 && s.totalChars < 200) return 'chat';
  if (s.questionMarks > 0 || s.whStart || s.mcOptions >= 2) return 'knowledge';
  return 'chat';
}
