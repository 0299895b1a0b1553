import { countTextsAndDigits, type TextCount } from './token-count';

/** Runs in a worker thread (see `TokenCounter`): the tokenizer's work never touches a service's event loop. */
export default function countInWorker(texts: string[]): TextCount {
  return countTextsAndDigits(texts);
}
