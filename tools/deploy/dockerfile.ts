/**
 * A small Dockerfile reader for static checks (no Docker engine here, and hadolint is on neither npm nor Debian):
 * instructions with their line, flags (`--from=build`) and arguments, stages, and `.dockerignore` matching with
 * Docker's semantics (last matching pattern wins, `!` re-includes, a pattern excludes a folder's whole content).
 */

export interface Instruction {
  line: number;
  keyword: string;
  flags: Record<string, string>;
  /** The arguments after the flags, as written (continuations joined). */
  args: string;
}

export interface Stage {
  index: number;
  /** The image or earlier stage it starts from, global ARGs substituted. */
  from: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** Global ARGs (before the first FROM) and their defaults. */
  args: Record<string, string>;
  stages: Stage[];
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (!pending && (line.trim() === '' || line.trimStart().startsWith('#'))) return;
    if (pending && line.trimStart().startsWith('#')) return; // comment lines inside a continuation are dropped
    if (!pending) startLine = i + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const [, keyword, rest] = /^(\S+)\s*(.*)$/s.exec(full)!;
    const flags: Record<string, string> = {};
    let args = rest;
    for (let m = /^--([a-z-]+)(?:=(\S+))?\s*/.exec(args); m; m = /^--([a-z-]+)(?:=(\S+))?\s*/.exec(args)) {
      flags[m[1]] = m[2] ?? 'true';
      args = args.slice(m[0].length);
    }
    instructions.push({ line: startLine, keyword: keyword.toUpperCase(), flags, args: args.trim() });
  });

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const [image, as, name] = ins.args.split(/\s+/);
      const from = image.replace(/\$\{?(\w+)\}?/g, (_, v: string) => globalArgs[v] ?? `<unset ${v}>`);
      stages.push({ index: stages.length, from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [ins] });
    } else if (stages.length === 0) {
      if (ins.keyword === 'ARG') {
        const [k, v = ''] = ins.args.split('=');
        globalArgs[k] = v;
      }
    } else {
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return { args: globalArgs, stages, instructions };
}

/** The JSON array of an exec-form instruction (CMD ["node", "x"]), or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const parsed = JSON.parse(args) as unknown;
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** COPY/ADD sources and destination (exec form or words). */
export function copyParts(ins: Instruction): { sources: string[]; dest: string } {
  const words = execForm(ins.args) ?? ins.args.split(/\s+/);
  return { sources: words.slice(0, -1), dest: words[words.length - 1] };
}

interface IgnorePattern {
  regex: RegExp;
  negate: boolean;
}

function globToRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function parseDockerignore(text: string): IgnorePattern[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = (negate ? l.slice(1) : l).replace(/^\/+/, '').replace(/\/+$/, '');
      return { regex: globToRegex(pattern), negate };
    });
}

/** Whether `path` (relative to the context, with /) is left out of the build context. */
export function isIgnored(path: string, patterns: IgnorePattern[]): boolean {
  const parts = path.split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const p of patterns) if (prefixes.some((prefix) => p.regex.test(prefix))) ignored = !p.negate;
  return ignored;
}
