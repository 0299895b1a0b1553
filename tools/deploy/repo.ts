import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (this file runs compiled, from dist/tools/deploy/). */
export const ROOT = resolve(__dirname, '..', '..', '..');

export const repoPath = (...parts: string[]): string => join(ROOT, ...parts);
export const readRepoFile = (path: string): string => readFileSync(repoPath(path), 'utf8');

/** The npm workspaces of package.json ("libs/*", "tools", …), as folders relative to the root. */
export function workspaces(): string[] {
  const patterns = (JSON.parse(readRepoFile('package.json')) as { workspaces: string[] }).workspaces;
  return patterns
    .flatMap((p) => {
      if (!p.endsWith('/*')) return [p];
      const dir = p.slice(0, -2);
      return readdirSync(repoPath(dir), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => `${dir}/${d.name}`);
    })
    .filter((dir) => existsSync(repoPath(dir, 'package.json')))
    .sort();
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): RunResult {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) return { status: null, stdout: '', stderr: r.error.message };
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Whether `cmd` is on PATH. */
export const hasCommand = (cmd: string): boolean => run('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** A line of the README's configuration table: the default of `name` as shown there (e.g. "600000"). */
export function readmeDefault(name: string): string {
  const row = readRepoFile('README.md')
    .split('\n')
    .find((l) => l.startsWith(`| \`${name}\` |`));
  if (!row) throw new Error(`README has no configuration row for ${name}`);
  return row.split('|')[2].trim().replace(/`/g, '');
}
