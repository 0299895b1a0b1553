import { countTokens, setMergeCacheSize } from 'gpt-tokenizer';

// The tokenizer's default cache (100,000 entries) evicts its oldest entry with `map.keys().next()`, which walks
// every deleted slot V8 keeps at the front of a Map: once full, each miss costs time in proportion to the cache
// (2 MB of random text took 6 s instead of 1 s). A small cache keeps the hits (repeated words) and bounds the walk.
setMergeCacheSize(1_000);

/**
 * Local token counts, for holds and limits before a request goes upstream and for usage when an upstream reports
 * none. The o200k tokenizer is exact for OpenAI models and a close estimate for the others (holds add a margin).
 *
 * BPE's merge loop is quadratic in the length of one pre-token, and the pre-tokenizer's own regex is quadratic on
 * long whitespace runs: 40 KB of one letter took a second, 100 KB of CJK without spaces took 49 s. So text is fed
 * to it in pieces of at most `MAX_PIECE` characters, cut where the pre-tokenizer would cut anyway when possible.
 * The work is then linear (0.1 µs a character of English, 2 µs of random CJK), and a cut only ever loses a merge, so the count can
 * only grow by it (measured: +0.1 % on English), never shrink: holds stay on the safe side.
 */
export const MAX_PIECE = 256;

/**
 * An image costs a provider-specific number of tokens that depends on its size, which we do not decode; this is
 * above what OpenAI charges for a high-detail 2048×2048 image, so holds stay on the safe side.
 */
export const IMAGE_TOKENS = 1_600;

/** Tokens of one text, in linear time (see `MAX_PIECE`). Cost grows with the text: off the event loop past a few KB. */
export function countTextTokens(text: string): number {
  let tokens = 0;
  let start = 0;
  while (text.length - start > MAX_PIECE) {
    const cut = pieceEnd(text, start);
    tokens += countTokens(text.slice(start, cut));
    start = cut;
  }
  return start < text.length ? tokens + countTokens(start === 0 ? text : text.slice(start)) : tokens;
}

/** Where the piece starting at `start` ends: before a word's leading space (o200k joins a space to the word after it). */
function pieceEnd(text: string, start: number): number {
  const hard = start + MAX_PIECE;
  for (let i = hard; i > start + MAX_PIECE / 2; i--) {
    if (isSpace(text.charCodeAt(i)) && !isSpace(text.charCodeAt(i - 1))) return i;
  }
  // One long run of a kind (letters, digits, spaces, CJK): cut it anyway, but never inside a surrogate pair.
  const last = text.charCodeAt(hard - 1);
  return last >= 0xd800 && last <= 0xdbff ? hard - 1 : hard;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;

/**
 * The most text one request may carry: about a million tokens, past every model's context window, so nothing a
 * model could take is refused, and the worst count (2 µs a character, in a worker) stays within seconds.
 */
export const MAX_PROMPT_CHARS = 4_000_000;

/**
 * A PDF page is billed as its extracted text plus an image of the page (OpenAI and Anthropic both put both in the
 * context): Anthropic documents 1,500–3,000 text tokens a page, and the image costs at most `IMAGE_TOKENS`.
 */
export const FILE_PAGE_TOKENS = 3_000 + IMAGE_TOKENS;

/** Pages one request may carry in files: OpenAI's and Anthropic's limit (100 pages across a request's PDFs). */
export const MAX_FILE_PAGES = 100;

/**
 * The most one `file` part can be billed. Its size says nothing sure about its pages (a few KB of PDF can hold a
 * hundred pages sharing one content stream, and a `file_id` has no size here), so this is the provider's page limit
 * at the dearest page; `sizeRequest` lowers it to the model's context window, past which nothing is billed.
 */
export const MAX_FILE_TOKENS = MAX_FILE_PAGES * FILE_PAGE_TOKENS;

/** Decoded file bytes per token of the best guess (a text PDF runs about 2–3 KB and 2,000 tokens a page). */
const FILE_BYTES_PER_GUESSED_TOKEN = 16;

/**
 * Audio input tokens a second: OpenAI bills user audio at one token per 100 ms; with a 25 % margin, as for text.
 */
export const AUDIO_TOKENS_PER_SECOND = 12.5;

/**
 * The fewest bytes a second of each `input_audio` format takes, so bytes bound the duration from above: MP3's lowest
 * standard bitrate (8 kbit/s), and 8 kHz 8-bit mono PCM for a WAV whose header does not say its own rate.
 */
const AUDIO_MIN_BYTES_PER_SECOND: Readonly<Record<string, number>> = { mp3: 1_000, wav: 8_000 };
/** Any other format (providers take few): Opus's lowest speech bitrate, 6 kbit/s. */
const AUDIO_MIN_BYTES_PER_SECOND_OTHER = 750;

/**
 * A prior audio answer referred to by id (`messages[].audio.id`) is billed again as audio input; it is at most one
 * answer long (16,384 tokens, the audio models' output limit).
 */
export const AUDIO_REFERENCE_TOKENS = 16_384;

/** A prompt taken apart in one linear pass: the texts to tokenize, and what costs a fixed number of tokens. */
export interface PromptParts {
  texts: string[];
  /** Per-message framing, names, images, token-id inputs. */
  fixedTokens: number;
  /** Characters across `texts`: how much tokenizing the prompt will cost. */
  chars: number;
  /** `file` parts: the best guess of their tokens (from their size), and the most they can be billed. */
  fileTokens: number;
  fileReserve: number;
  /** Audio input (`input_audio` parts, prior audio answers): the most tokens it can be billed, at the audio price. */
  audioTokens: number;
}

/**
 * What of a request body is billed as input: message contents (each part on its own, so joining never
 * manufactures a long run; files and audio by their size), names, reasoning sent back, tool calls (and the legacy
 * `function_call`), tool definitions (and the legacy `functions`) and the response format; for legacy completions
 * and embeddings, `prompt` or `input` (token-id arrays count as themselves). Files and audio are sized from their
 * string lengths, never decoded (a WAV header's few bytes aside), so this stays one linear pass.
 */
export function promptParts(body: Record<string, unknown>): PromptParts {
  const parts: PromptParts = { texts: [], fixedTokens: 0, chars: 0, fileTokens: 0, fileReserve: 0, audioTokens: 0 };
  const text = (s: string) => {
    if (!s) return;
    parts.texts.push(s);
    parts.chars += s.length;
  };
  if (!Array.isArray(body.messages) && (body.prompt !== undefined || body.input !== undefined)) {
    textInput(body.prompt ?? body.input, text, parts);
    return parts;
  }
  parts.fixedTokens = 3;
  for (const m of Array.isArray(body.messages) ? (body.messages as Record<string, unknown>[]) : []) {
    parts.fixedTokens += 4;
    messageContent(m?.content, text, parts);
    if (typeof m?.name === 'string') parts.fixedTokens += 1;
    // Reasoning sent back in history is input like any other text (providers that take it bill it).
    if (typeof m?.reasoning_content === 'string') text(m.reasoning_content);
    if (Array.isArray(m?.tool_calls)) text(JSON.stringify(m.tool_calls));
    if (m?.function_call && typeof m.function_call === 'object') text(JSON.stringify(m.function_call));
    if (m?.audio && typeof m.audio === 'object') parts.audioTokens += AUDIO_REFERENCE_TOKENS;
  }
  if (body.tools) text(JSON.stringify(body.tools));
  // The legacy `functions` list is `tools` by another name, and billed the same.
  if (Array.isArray(body.functions)) text(JSON.stringify(body.functions));
  if (body.response_format && typeof body.response_format === 'object') text(JSON.stringify(body.response_format));
  return parts;
}

function messageContent(content: unknown, text: (s: string) => void, parts: PromptParts): void {
  if (typeof content === 'string') return text(content);
  if (!Array.isArray(content)) return;
  for (const part of content as { type?: unknown; text?: unknown; file?: unknown; input_audio?: unknown }[]) {
    if (part?.type === 'text' && typeof part.text === 'string') text(part.text);
    else if (part?.type === 'image_url') parts.fixedTokens += IMAGE_TOKENS;
    else if (part?.type === 'file') {
      parts.fileTokens += fileGuess(part.file);
      parts.fileReserve += MAX_FILE_TOKENS;
    } else if (part?.type === 'input_audio') parts.audioTokens += audioTokenBound(part.input_audio);
  }
}

/** Bytes a base64 string (or data URL) decodes to, without decoding it. */
function base64Bytes(data: string): number {
  const comma = data.startsWith('data:') ? data.indexOf(',') + 1 : 0;
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor(((data.length - comma) * 3) / 4) - padding);
}

/** A file part's likely tokens, for estimates only (holds take `MAX_FILE_TOKENS`): at least a page, at most the bound. */
function fileGuess(file: unknown): number {
  const data = (file as { file_data?: unknown } | null)?.file_data;
  const bytes = typeof data === 'string' ? base64Bytes(data) : 0;
  return Math.min(MAX_FILE_TOKENS, FILE_PAGE_TOKENS + Math.ceil(bytes / FILE_BYTES_PER_GUESSED_TOKEN));
}

/** The most tokens an `input_audio` part can be billed: its longest possible duration at `AUDIO_TOKENS_PER_SECOND`. */
export function audioTokenBound(audio: unknown): number {
  const { data, format } = (audio ?? {}) as { data?: unknown; format?: unknown };
  if (typeof data !== 'string') return 0;
  const bytes = base64Bytes(data);
  const fmt = typeof format === 'string' ? format.toLowerCase() : '';
  const perSecond = (fmt === 'wav' ? wavByteRate(data) : null) ?? AUDIO_MIN_BYTES_PER_SECOND[fmt] ?? AUDIO_MIN_BYTES_PER_SECOND_OTHER;
  return Math.ceil((bytes / perSecond) * AUDIO_TOKENS_PER_SECOND);
}

/** 96 kHz 24-bit stereo PCM: no WAV a provider takes plays faster, so a header claiming more is not believed. */
const WAV_MAX_BYTES_PER_SECOND = 576_000;

/**
 * The slowest rate a WAV's header lets it be played at (its RIFF `fmt ` chunk right after the RIFF header), so bytes
 * over it bound the duration from above; null when there is no such header (the 8,000 B/s floor applies).
 *
 * The header's byte-rate field (bytes 28–31) alone is no bound: decoders play PCM at sample rate × block align (or
 * × channels × bits), whatever that field says, so a forged field claiming a higher rate would shorten the bound — an
 * 8 kHz 8-bit mono file saying 576,000 B/s would be held at 1/72 of what the upstream bills. So every rate the header
 * implies is a candidate and the slowest wins (the longest duration); each is capped at the fastest real WAV's. A
 * compressed WAV (ADPCM) declares its true, lower rate in the byte-rate field, which the minimum keeps.
 */
function wavByteRate(data: string): number | null {
  const start = data.startsWith('data:') ? data.indexOf(',') + 1 : 0;
  const head = Buffer.from(data.slice(start, start + 48), 'base64');
  if (head.length < 36 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 16) !== 'WAVEfmt ') return null;
  const channels = head.readUInt16LE(22);
  const sampleRate = head.readUInt32LE(24);
  const blockAlign = head.readUInt16LE(32);
  const bitsPerSample = head.readUInt16LE(34);
  const candidates = [head.readUInt32LE(28), sampleRate * blockAlign, (sampleRate * channels * bitsPerSample) / 8].filter((r) => r > 0);
  return candidates.length ? Math.min(...candidates.map((r) => Math.min(r, WAV_MAX_BYTES_PER_SECOND))) : null;
}

function textInput(input: unknown, text: (s: string) => void, parts: PromptParts): void {
  if (typeof input === 'string') return text(input);
  if (!Array.isArray(input)) return;
  // An array of token ids is its own count; an array of strings or of token arrays sums its items.
  if (input.every((v) => typeof v === 'number')) {
    parts.fixedTokens += input.length;
    return;
  }
  for (const item of input) textInput(item, text, parts);
}

/** Tokens of many texts, summed. */
export function countTexts(texts: readonly string[]): number {
  let tokens = 0;
  for (const t of texts) tokens += countTextTokens(t);
  return tokens;
}

/** Tokens by o200k, and the ASCII digits among the characters (see `reserveTokens`). */
export interface TextCount {
  tokens: number;
  digits: number;
}

export function countTextsAndDigits(texts: readonly string[]): TextCount {
  let digits = 0;
  for (const t of texts) {
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c >= 0x30 && c <= 0x39) digits++;
    }
  }
  return { tokens: countTexts(texts), digits };
}

/**
 * What holds and limits reserve for a prompt: never less than any common tokenizer could bill. o200k is an estimate
 * of the others' counts, good on prose (the 25 % margin covers them) but not on what it compresses unusually well:
 * it merges 128 spaces into one token where others stop at a few, and three digits where Qwen's and DeepSeek's
 * tokenizers take one token per digit. So the reserve is also at least one token per digit and per four other
 * characters (every tokenizer we bill through stays above four characters a token on such runs).
 */
export function reserveTokens(fixedTokens: number, chars: number, count: TextCount): number {
  const byTokenizer = Math.ceil((fixedTokens + count.tokens) * 1.25) + 16;
  const byCharacters = fixedTokens + count.digits + Math.ceil((chars - count.digits) / 4);
  return Math.max(byTokenizer, byCharacters);
}

/**
 * A count that is never below the tokenizer's, at no cost: byte-level BPE never makes more tokens than the text has
 * UTF-8 bytes. For when the tokenizer cannot be afforded (the worker pool is saturated).
 */
export function tokenUpperBound(texts: readonly string[]): number {
  let bytes = 0;
  for (const t of texts) bytes += Buffer.byteLength(t, 'utf8');
  return bytes;
}

/** The prompt's tokens, counted here and now: for tests and small bodies (`TokenCounter` decides where to count). */
export function estimatePromptTokens(body: Record<string, unknown>): number {
  const parts = promptParts(body);
  return parts.fixedTokens + parts.fileTokens + parts.audioTokens + countTexts(parts.texts);
}

/**
 * Generated text's tokens, for display when nothing better is known (an Anthropic-format answer whose usage never
 * came). Exact up to `SYNC_CHARS`, an upper bound for the rest, so it costs a few milliseconds at most.
 */
export function estimateCompletionTokens(generatedText: string): number {
  if (generatedText.length <= SYNC_CHARS) return countTextTokens(generatedText);
  return countTextTokens(generatedText.slice(0, SYNC_CHARS)) + tokenUpperBound([generatedText.slice(SYNC_CHARS)]);
}

/** Characters the event loop may tokenize in one go: about 4 ms at the worst rate (2 µs a character, random CJK). */
export const SYNC_CHARS = 2_048;
