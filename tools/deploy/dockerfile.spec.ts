import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { APPS } from '../start/process-group';
import { copyParts, execForm, type Instruction, isIgnored, parseDockerfile, parseDockerignore, type Stage } from './dockerfile';
import { readRepoFile, repoPath, run, workspaces } from './repo';

// Static checks of deploy/Dockerfile, .dockerignore and the two scripts the image runs. There is no Docker engine
// here and hadolint is packaged on neither npm nor Debian: the hadolint rules that apply are checked below by id
// (DL3000 absolute WORKDIR, DL3002 last USER not root, DL3004 no sudo, DL3006/DL3007 tagged and not latest,
// DL3020 COPY not ADD, DL3022 COPY --from an earlier stage, DL3024 unique stage names, DL3025 JSON CMD/ENTRYPOINT,
// DL4000 no MAINTAINER), plus what hadolint cannot know: every COPY source exists and reaches the build context,
// and what the build stage hands to the runtime is what `npm run build` really produces (the tests run after it).

const dockerfile = parseDockerfile(readRepoFile('deploy/Dockerfile'));
const ignore = parseDockerignore(readRepoFile('.dockerignore'));
const stages = dockerfile.stages;
const runtime = stages[stages.length - 1];
const all = (keyword: string, stage?: Stage): Instruction[] => (stage ? stage.instructions : dockerfile.instructions).filter((i) => i.keyword === keyword);
const stageByRef = (ref: string, before: number): Stage | undefined =>
  stages.slice(0, before).find((s) => s.name === ref || String(s.index) === ref);
const runs = (stage: Stage): string => all('RUN', stage).map((i) => i.args).join('\n');
/** The stage and its ancestors (FROM <stage>), nearest first. */
function lineage(stage: Stage): Stage[] {
  const parent = stageByRef(stage.from, stage.index);
  return parent ? [stage, ...lineage(parent)] : [stage];
}
const workdirOf = (stage: Stage): string => {
  const dirs = lineage(stage).flatMap((s) => all('WORKDIR', s).map((i) => i.args));
  return dirs[0] ?? '/';
};

/** The app names the entrypoint accepts, from its `case` labels. */
const entrypoint = readRepoFile('deploy/docker-entrypoint.sh');
const entrypointApps = [...entrypoint.matchAll(/^\s*([a-z| -]+)\)\s*$/gm)].flatMap((m) => m[1].split('|').map((s) => s.trim()));
/** Variable names that hold credentials (TOKENFLOW_ADMIN_KEY, DEEPSEEK_API_KEY, POSTGRES_PASSWORD, …). */
const SECRET_NAME = /(^|_)(KEY|SECRET|PASSWORD|TOKEN)(_|$)/i;
const ONE_SHOTS: Record<string, string> = { migrate: 'dist/tools/start/migrate.js', seed: 'dist/tools/start/seed-cli.js' };

describe('deploy/Dockerfile', () => {
  it('pins every base image to a full version (DL3006, DL3007)', () => {
    for (const s of stages) {
      if (stageByRef(s.from, s.index)) continue;
      assert.doesNotMatch(s.from, /<unset/, `FROM ${s.from}: an ARG without a default`);
      const [, tag = '', digest] = /^[^:@]+(?::([^@]+))?(?:@(sha256:[0-9a-f]{64}))?$/.exec(s.from) ?? [];
      assert.ok(digest || /^\d+\.\d+\.\d+(-[a-z0-9.-]+)?$/.test(tag), `FROM ${s.from} (line ${s.instructions[0].line}) is not pinned to x.y.z or a digest`);
      assert.notEqual(tag, 'latest');
    }
  });

  it('names stages once and references only earlier ones (DL3022, DL3024)', () => {
    const names = stages.flatMap((s) => (s.name ? [s.name] : []));
    assert.equal(new Set(names).size, names.length, `duplicate stage names: ${names.join(', ')}`);
    assert.ok(stages.length >= 3, 'a multi-stage build: build, production dependencies, runtime');
    for (const s of stages) {
      for (const copy of [...all('COPY', s), ...all('ADD', s)]) {
        const from = copy.flags.from;
        if (!from) continue;
        assert.ok(stageByRef(from, s.index), `line ${copy.line}: --from=${from} is not an earlier stage`);
      }
    }
  });

  it('builds with npm ci and npm run build, and installs the runtime dependencies with --omit=dev', () => {
    const buildStage = stages.find((s) => /npm run build/.test(runs(s)));
    assert.ok(buildStage, 'a stage runs npm run build');
    assert.ok(lineage(buildStage).some((s) => /npm ci\b/.test(runs(s))), 'the build stage (or its parent) runs npm ci');
    const modules = all('COPY', runtime).filter((c) => c.flags.from && !/npm run build/.test(runs(stageByRef(c.flags.from, runtime.index)!)));
    const depsStage = stageByRef(modules[0]?.flags.from ?? '', runtime.index);
    assert.ok(depsStage, 'the runtime takes node_modules from a dependencies stage');
    assert.match(runs(depsStage), /npm ci [^\n]*--omit=dev/, 'that stage installs production dependencies only');
    assert.doesNotMatch(runs(runtime), /npm (ci|install)/, 'the runtime installs nothing itself');
    assert.ok(
      all('ENV', runtime).some((e) => /NODE_ENV=production/.test(e.args)),
      'NODE_ENV=production in the runtime',
    );
  });

  it('copies only files that exist and reach the build context (.dockerignore)', () => {
    for (const s of stages) {
      for (const copy of all('COPY', s)) {
        if (copy.flags.from) continue;
        for (const src of copyParts(copy).sources) {
          assert.doesNotMatch(src, /[*?[]/, `line ${copy.line}: ${src}: spell the files out (a glob flattens folders)`);
          if (src === '.') continue;
          assert.ok(existsSync(repoPath(src)), `line ${copy.line}: COPY ${src}: no such file`);
          assert.ok(!isIgnored(src, ignore), `line ${copy.line}: COPY ${src}: excluded by .dockerignore`);
        }
      }
    }
  });

  it('sends the build everything `npm run build` reads, and no secrets, specs or local state', () => {
    const needed = [
      'package.json',
      'package-lock.json',
      'tsconfig.base.json',
      'tsconfig.build.json',
      'tools/sync-providers.mjs',
      'tools/start/migrate.ts',
      'tools/start/seed-cli.ts',
      'tools/start/seed.ts',
      'libs/routing/src/weights.json',
      'apps/provider-adapter/src/providers/deepseek/provider.json',
      ...APPS.map((app) => `apps/${app}/src/main.ts`),
      ...workspaces().map((w) => `${w}/package.json`),
      ...workspaces()
        .filter((w) => w.startsWith('libs/'))
        .flatMap((w) => [`${w}/index.js`, `${w}/src/index.ts`]),
      'deploy/docker-entrypoint.sh',
      'deploy/healthcheck.js',
    ];
    for (const f of needed) {
      assert.ok(existsSync(repoPath(f)), `${f} exists`);
      assert.ok(!isIgnored(f, ignore), `${f} must reach the build context`);
    }
    for (const f of ['.env', 'k8s/overlays/prod/secrets.env', 'node_modules/x/index.js', 'dist/apps/ingress/src/main.js', '.git/config', '.tokenflow/admin-key', 'apps/billing/src/x.spec.ts', 'e2e/src/chat.e2e-spec.ts', 'deploy/Dockerfile']) {
      assert.ok(isIgnored(f, ignore), `${f} must stay out of the build context`);
    }
  });

  it('copies the manifest of every npm workspace before npm ci', () => {
    const manifests = stages[0].instructions
      .filter((i) => i.keyword === 'COPY')
      .flatMap((c) => copyParts(c).sources)
      .filter((s) => s.endsWith('package.json') && s !== 'package.json')
      .sort();
    assert.deepEqual(manifests, workspaces().map((w) => `${w}/package.json`), 'one COPY per workspace in package.json "workspaces"');
    for (const c of all('COPY', stages[0])) {
      const { sources, dest } = copyParts(c);
      if (sources[0] === 'package.json') continue;
      assert.equal(dest, sources[0].replace(/package\.json$/, ''), `line ${c.line}: keeps the folder (${dest})`);
    }
  });

  it('hands the runtime only what the build produced: dist/ with every entry point, the workspace stubs', () => {
    for (const copy of all('COPY', runtime)) {
      const from = copy.flags.from;
      if (!from) continue;
      const stage = stageByRef(from, runtime.index)!;
      const workdir = workdirOf(stage).replace(/\/$/, '');
      for (const src of copyParts(copy).sources) {
        assert.ok(src === workdir || src === `${workdir}/` || src.startsWith(`${workdir}/`), `line ${copy.line}: ${src} is inside ${from}'s WORKDIR ${workdir}`);
        const rel = src.slice(workdir.length + 1);
        if (rel) assert.ok(existsSync(repoPath(rel)), `line ${copy.line}: ${from}:${src} → ${rel} (run npm run build first)`);
      }
    }
    const copiedFromBuild = all('COPY', runtime).flatMap((c) => copyParts(c).sources);
    assert.ok(copiedFromBuild.some((s) => s.endsWith('/dist')), 'the runtime gets dist/');
    assert.ok(copiedFromBuild.some((s) => s.endsWith('/libs')), 'the runtime gets libs/*/index.js, which node_modules/@tokenflow/* link to');
    for (const app of APPS) assert.ok(existsSync(repoPath('dist', 'apps', app, 'src', 'main.js')), `dist/apps/${app}/src/main.js is built`);
    for (const file of Object.values(ONE_SHOTS)) assert.ok(existsSync(repoPath(file)), `${file} is built`);
  });

  it('runs as a non-root user with a healthcheck and an exec-form entrypoint (DL3002, DL3025)', () => {
    const users = all('USER', runtime);
    assert.ok(users.length, 'the runtime sets USER');
    const user = users[users.length - 1].args.split(':')[0];
    assert.ok(!['root', '0'].includes(user), `USER ${user}`);
    const hc = all('HEALTHCHECK', runtime);
    assert.equal(hc.length, 1, 'one HEALTHCHECK');
    const hcCmd = execForm(hc[0].args.replace(/^CMD\s+/, ''));
    assert.ok(hcCmd, 'HEALTHCHECK CMD in exec form');
    for (const keyword of ['ENTRYPOINT', 'CMD']) {
      const [ins] = all(keyword, runtime);
      assert.ok(ins && execForm(ins.args), `${keyword} in JSON (exec) form`);
    }
    // The scripts ENTRYPOINT and HEALTHCHECK name are copied into the image at those paths.
    const workdir = workdirOf(runtime);
    const copiedTo = all('COPY', runtime)
      .filter((c) => !c.flags.from)
      .flatMap((c) => {
        const { sources, dest } = copyParts(c);
        const dir = dest.startsWith('/') ? dest : `${workdir}/${dest.replace(/^\.\//, '')}`;
        return sources.map((s) => `${dir.replace(/\/$/, '')}/${s.split('/').pop()}`);
      });
    const entry = execForm(all('ENTRYPOINT', runtime)[0].args)![0];
    assert.ok(copiedTo.includes(entry), `ENTRYPOINT ${entry} is copied into the image`);
    assert.ok(copiedTo.includes(hcCmd!.find((a) => a.endsWith('.js'))!), 'the healthcheck script is copied into the image');
    assert.match(all('COPY', runtime).find((c) => copyParts(c).sources.includes('deploy/docker-entrypoint.sh'))!.flags.chmod ?? '', /^0?[57]55$/, 'the entrypoint is executable');
    const cmd = execForm(all('CMD', runtime)[0].args)!;
    assert.ok(entrypointApps.includes(cmd[0]), `the default command ${cmd[0]} is a process the entrypoint knows`);
  });

  it('follows the remaining hadolint rules that apply (DL3000, DL3004, DL3020, DL4000) and bakes in no secret', () => {
    for (const w of all('WORKDIR')) assert.ok(w.args.startsWith('/'), `line ${w.line}: WORKDIR ${w.args} is absolute`);
    assert.equal(all('ADD').length, 0, 'COPY, not ADD');
    assert.equal(all('MAINTAINER').length, 0);
    for (const r of all('RUN')) assert.doesNotMatch(r.args, /\bsudo\b|apt-get upgrade|\bcd\s/, `line ${r.line}`);
    for (const e of [...all('ENV'), ...all('ARG')]) {
      for (const [, name] of e.args.matchAll(/(\w+)=/g)) assert.ok(!SECRET_NAME.test(name), `line ${e.line}: ${name}: no secrets in the image`);
    }
  });
});

describe('deploy/docker-entrypoint.sh', () => {
  it('is valid sh and starts every process by name, each from a built file', () => {
    assert.equal(run('sh', ['-n', repoPath('deploy/docker-entrypoint.sh')]).status, 0);
    assert.deepEqual([...entrypointApps].sort(), [...APPS, ...Object.keys(ONE_SHOTS)].sort(), 'the six services of npm start, migrate and seed');
    for (const app of APPS) assert.match(entrypoint, /entry="dist\/apps\/\$app\/src\/main\.js"/, app);
    for (const [name, file] of Object.entries(ONE_SHOTS)) assert.ok(entrypoint.includes(`entry="${file}"`), `${name} runs ${file}`);
    assert.ok(statSync(repoPath('deploy/docker-entrypoint.sh')).mode & 0o100, 'executable in the checkout too');
  });

  it('refuses an unknown name with a usage line (exit 64)', () => {
    const r = run('sh', [repoPath('deploy/docker-entrypoint.sh'), 'billing-typo'], { env: { PATH: process.env.PATH } });
    assert.equal(r.status, 64);
    assert.match(r.stderr, /usage: .*ingress.*router.*billing/);
  });
});

describe('deploy/healthcheck.js', () => {
  let server: Server;
  let port = 0;
  let status = 200;
  const seen: string[] = [];
  before(async () => {
    server = createServer((req, res) => {
      seen.push(req.url!);
      res.writeHead(status).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  // Asynchronously: the server answering the probe runs on this event loop.
  const probe = (env: Record<string, string>) =>
    new Promise<{ status: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [repoPath('deploy/healthcheck.js')], { env: { PATH: process.env.PATH, ...env } }, (err, _stdout, stderr) =>
        resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stderr }),
      );
    });

  it("probes each process's readiness where it listens, healthy only on 2xx", async () => {
    status = 200;
    seen.length = 0;
    assert.equal((await probe({ TOKENFLOW_APP: 'ingress', PORT: String(port) })).status, 0);
    assert.equal((await probe({ TOKENFLOW_APP: 'billing', OPS_PORT: String(port) })).status, 0);
    assert.equal((await probe({ TOKENFLOW_APP: 'mock-provider', MOCK_PORT: String(port) })).status, 0);
    assert.deepEqual(seen, ['/readyz', '/readyz', '/healthz']);
    status = 503;
    const down = await probe({ TOKENFLOW_APP: 'router', OPS_PORT: String(port) });
    assert.equal(down.status, 1);
    assert.match(down.stderr, /answered 503/);
  });

  it('is unhealthy when nothing listens, healthy for one-shot commands, and says when it cannot tell', async () => {
    assert.equal((await probe({ TOKENFLOW_APP: 'ratelimit', OPS_PORT: '1' })).status, 1);
    assert.equal((await probe({ TOKENFLOW_APP: 'migrate' })).status, 0);
    assert.equal((await probe({ TOKENFLOW_APP: 'seed' })).status, 0);
    const unknown = await probe({ TOKENFLOW_APP: 'nope' });
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /TOKENFLOW_APP/);
  });
});
