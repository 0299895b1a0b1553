import { countTexts } from './token-count';

/** Runs in a worker thread (see `TokenCounter`): the tokenizer's work never touches a service's event loop. */
export default function countInWorker(texts: string[]): number {
  return countTexts(texts);
}
