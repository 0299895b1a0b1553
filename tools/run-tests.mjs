#!/usr/bin/env node
// Runs the compiled specs with node:test: unit specs (next to the code), then integration specs (apps/*/test and
// libs' *.int-spec.ts), then the end-to-end suite (e2e/). `node tools/run-tests.mjs unit|int|e2e` runs one layer.
//
// The list comes from the SOURCE tree, never from dist/: the build is incremental and never cleans, so a spec
// deleted or renamed in the source keeps its old .js in dist/, and running whatever dist/ holds would keep running
// it. Each source spec maps to its compiled path; one without a compiled file stops the run (build first).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const OUT_DIR = 'dist';

/** Where specs live (tsconfig.build.json compiles each to dist/<same path>.js). */
const SPEC_ROOTS = [
  ['apps', '*', 'src'],
  ['apps', '*', 'test'],
  ['libs', '*', 'src'],
  ['e2e', 'src'],
  ['tools', 'deploy'],
];

const isSpec = (f) => /\.(spec|int-spec|e2e-spec)\.ts$/.test(f) && !f.endsWith('.d.ts');

/** The layer of a source spec (a plain .spec.ts under apps/*\/test or e2e/ runs in none, as before). */
function layerOf(f) {
  if (f.endsWith('.e2e-spec.ts')) return 'e2e';
  if (f.endsWith('.int-spec.ts')) return 'int';
  if (f.endsWith('.spec.ts') && !f.includes('/test/') && !f.startsWith('e2e/')) return 'unit';
  return null;
}

function walk(dir, keep, out = []) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, keep, out);
    else if (keep(e.name)) out.push(p);
  }
  return out;
}

/** Expands one `*` segment per level: ['apps', '*', 'src'] → apps/billing/src, apps/ingress/src, … */
function expand(segments, base = root) {
  if (segments.length === 0) return [base];
  const [head, ...rest] = segments;
  if (head !== '*') return expand(rest, join(base, head));
  let dirs = [];
  try {
    dirs = readdirSync(base, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== 'node_modules');
  } catch {
    return [];
  }
  return dirs.flatMap((d) => expand(rest, join(base, d.name)));
}

const posix = (p) => relative(root, p).split(sep).join('/');
const sourceSpecs = [...new Set(SPEC_ROOTS.flatMap((s) => expand(s)).flatMap((dir) => walk(dir, isSpec)).map(posix))].sort();
const compiledOf = (f) => `${OUT_DIR}/${f.replace(/\.ts$/, '.js')}`;

const layers = ['unit', 'int', 'e2e'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const selected = wanted.length ? wanted : layers;
for (const layer of selected) {
  if (!layers.includes(layer)) {
    console.error(`unknown test layer "${layer}" (unit, int, e2e)`);
    process.exit(2);
  }
}
const chosen = selected.flatMap((layer) => sourceSpecs.filter((f) => layerOf(f) === layer));
if (chosen.length === 0) {
  console.error(`no ${selected.join('/')} spec files in the source tree`);
  process.exit(1);
}
const missing = chosen.filter((f) => !existsSync(join(root, compiledOf(f))));
if (missing.length) {
  console.error(`${missing.length} spec(s) in the source tree have no compiled file: run \`npm run build\` first.`);
  for (const f of missing) console.error(`  ${f} → ${compiledOf(f)} (missing)`);
  process.exit(1);
}

// Compiled specs whose source is gone: never run, named so a stale dist/ is noticed (delete them or rebuild clean).
const known = new Set(sourceSpecs.map(compiledOf));
const stale = walk(join(root, OUT_DIR), (n) => /\.(spec|int-spec|e2e-spec)\.js$/.test(n))
  .map(posix)
  .filter((f) => !known.has(f) && SPEC_ROOTS.some((s) => new RegExp(`^${OUT_DIR}/${s.join('/').replace('*', '[^/]+')}/`).test(f)));
if (stale.length) {
  console.error(`skipping ${stale.length} compiled spec(s) with no source (deleted or renamed): ${stale.join(', ')}`);
}

const reporter = process.env.TEST_REPORTER ?? 'spec';
const res = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--test', '--test-concurrency=1', `--test-reporter=${reporter}`, ...chosen.map(compiledOf)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' } },
);
process.exit(res.status ?? 1);
