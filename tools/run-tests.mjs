#!/usr/bin/env node
// Runs every compiled spec with node:test: unit specs (next to the code), then per-app integration specs
// (apps/*/test), then the end-to-end suite (e2e/). `node tools/run-tests.mjs unit|int|e2e` runs one layer.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const layers = {
  unit: (f) => f.endsWith('.spec.js') && !f.includes('/test/') && !f.startsWith('dist/e2e/'),
  int: (f) => f.endsWith('.int-spec.js'),
  e2e: (f) => f.endsWith('.e2e-spec.js'),
};

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const selected = wanted.length ? wanted : Object.keys(layers);
const all = walk('dist').filter((f) => !f.includes('node_modules')).sort();
const files = selected.flatMap((layer) => {
  if (!layers[layer]) {
    console.error(`unknown test layer "${layer}" (unit, int, e2e)`);
    process.exit(2);
  }
  return all.filter(layers[layer]);
});
if (files.length === 0) {
  console.error('no compiled spec files found: run `npm run build` first');
  process.exit(1);
}
const reporter = process.env.TEST_REPORTER ?? 'spec';
const res = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--test', '--test-concurrency=1', `--test-reporter=${reporter}`, ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' } },
);
process.exit(res.status ?? 1);
