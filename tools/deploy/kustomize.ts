import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import type { Manifest } from './k8s-schema';
import { repoPath, run } from './repo';

/** What `kubectl kustomize` renders here, and with which kustomize (components and `labels` need v5). */
export function kustomizeVersion(): string | undefined {
  const r = run('kubectl', ['version', '--client', '-o', 'json']);
  if (r.status !== 0) return undefined;
  return (JSON.parse(r.stdout) as { kustomizeVersion?: string }).kustomizeVersion;
}

/**
 * A scratch copy of k8s/ that renders as an operator's checkout would: each overlay's git-ignored secrets.env made
 * from its secrets.env.example, plus `overlays/prod-with-components`, the prod overlay with its commented
 * `components:` lines switched on (so the optional components are rendered exactly as documented).
 */
export class K8sTree {
  readonly dir = mkdtempSync(join(tmpdir(), 'tf-k8s-'));
  /** The components the prod overlay lists in comments. */
  readonly optionalComponents: string[];

  constructor() {
    cpSync(repoPath('k8s'), this.dir, { recursive: true });
    for (const overlay of readdirSync(join(this.dir, 'overlays'))) {
      const example = join(this.dir, 'overlays', overlay, 'secrets.env.example');
      try {
        writeFileSync(join(this.dir, 'overlays', overlay, 'secrets.env'), readFileSync(example));
      } catch {
        // an overlay without secrets
      }
    }
    const prod = readFileSync(join(this.dir, 'overlays/prod/kustomization.yaml'), 'utf8');
    this.optionalComponents = [...prod.matchAll(/^#\s+- \.\.\/\.\.\/components\/(\S+)$/gm)].map((m) => m[1]);
    const enabled = prod.replace(/^# components:$/m, 'components:').replace(/^#(\s+- \.\.\/\.\.\/components\/\S+)$/gm, '$1');
    cpSync(join(this.dir, 'overlays/prod'), join(this.dir, 'overlays/prod-with-components'), { recursive: true });
    writeFileSync(join(this.dir, 'overlays/prod-with-components/kustomization.yaml'), enabled);
  }

  /** `kubectl kustomize` of a folder of the tree ("base", "overlays/dev", …), parsed. */
  render(path: string): Manifest[] {
    const r = run('kubectl', ['kustomize', join(this.dir, path)]);
    if (r.status !== 0) throw new Error(`kubectl kustomize ${path} failed: ${r.stderr}`);
    return YAML.parseAllDocuments(r.stdout).map((d) => d.toJS() as Manifest);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
