import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ChatLike } from '@tokenflow/routing';
import { rowCosts } from '@tokenflow/routing';

/** One line of `../shared/data/routing/*.jsonl`. */
export interface DataRow {
  id: string;
  source: string;
  subject?: string;
  messages: { role: string; content: unknown }[];
  cheap_quality: number;
  premium_quality: number;
  cheap_output_chars?: number;
  premium_output_chars?: number;
}

export interface LoadedRow extends DataRow {
  /** First 32 bits of SHA-256(id): outer fold `key % 5`. */
  key: number;
  body: ChatLike;
  cheapCost: number;
  premiumCost: number;
}

export const FOLDS = 5;
/** The repository root (this file runs from dist/tools/router/). */
export const REPO_ROOT = resolve(__dirname, '../../..');
export const DEFAULT_DATA = resolve(REPO_ROOT, '../shared/data/routing/train.jsonl');
export const WEIGHTS_PATH = resolve(REPO_ROOT, 'libs/routing/src/weights.json');

export function idKey(id: string): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0);
}

export function loadRows(file: string): { rows: LoadedRow[]; sha256: string } {
  const raw = readFileSync(file);
  const sha256 = createHash('sha256').update(raw).digest('hex');
  const rows: LoadedRow[] = [];
  raw
    .toString('utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      const r = JSON.parse(line) as DataRow;
      if (typeof r.id !== 'string' || !Array.isArray(r.messages)) throw new Error(`${file}:${i + 1}: not a routing row (id, messages)`);
      const costs = rowCosts(r.messages, r.cheap_output_chars, r.premium_output_chars);
      rows.push({ ...r, key: idKey(r.id), body: { messages: r.messages }, cheapCost: costs.cheap, premiumCost: costs.premium });
    });
  return { rows, sha256 };
}

/** `--name value` and `--flag` arguments. */
export function parseArgs(argv: string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [name, inline] = a.slice(2).split('=', 2);
    if (inline !== undefined) out.set(name, inline);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out.set(name, argv[++i]);
    else out.set(name, true);
  }
  return out;
}
