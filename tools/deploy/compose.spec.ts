import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Ajv2019 from 'ajv/dist/2019';
import YAML from 'yaml';
import { APPS } from '../start/process-group';
import { REAL_KEY_ENVS } from '../start/seed';
import { dependencyDefaults } from './platform';
import { hasCommand, readmeDefault, readRepoFile, run } from './repo';

// docker-compose.yml: docker-compose's own validation, the Compose Specification's JSON schema, and what the
// platform needs from it (start order on health, one-shot migrations and seed, NATS as configured, dev secrets only).

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
  volumes?: string[];
  restart?: string;
  stop_grace_period?: string;
}

const text = readRepoFile('docker-compose.yml');
const compose = YAML.parse(text, { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;
const IMAGE = 'tokenflow:dev';
const withImage = Object.entries(services).filter(([, s]) => s.image === IMAGE);
const ONE_SHOTS = ['migrate', 'seed'];
const SECRET_NAME = /(^|_)(KEY|SECRET|PASSWORD|TOKEN)(_|$)/i;
const seconds = (d: string): number => Number(/^(\d+)s$/.exec(d)?.[1] ?? NaN);

/** The Compose Specification's schema as docker-compose 1.29 ships it (provenance in tools/deploy/README.md). */
function composeValidator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(us|ms|s|m|h))+$/);
  ajv.addFormat('ports', (v: string | number) => /^((\d{1,3}\.){3}\d{1,3}:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp))?$/.test(String(v)));
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
  // The file is kept as shipped. Its `$schema` spells draft 2019-09 as "http://…/schema#", a name Ajv does not know
  // (Ajv2019 is that draft), and it labels subschemas with draft-04 `id`s, which Ajv refuses and which no `$ref`
  // uses (they all point into #/definitions): both are dropped before compiling.
  const dropIds = (node: unknown): unknown =>
    Array.isArray(node)
      ? node.map(dropIds)
      : node && typeof node === 'object'
        ? Object.fromEntries(Object.entries(node).filter(([k, v]) => !(k === 'id' && typeof v === 'string')).map(([k, v]) => [k, dropIds(v)]))
        : node;
  const { $schema: _draft, ...schema } = dropIds(JSON.parse(readRepoFile('tools/deploy/compose-spec.json'))) as Record<string, unknown>;
  return ajv.compile(schema);
}

describe('docker-compose.yml', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tf-compose-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('passes `docker-compose config -q`, which refuses a broken file', () => {
    assert.ok(hasCommand('docker-compose'), 'docker-compose is not installed: apt-get install -y docker-compose (.ci/run does)');
    const ok = run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q']);
    assert.equal(ok.status, 0, ok.stderr);
    const broken = join(tmp, 'docker-compose.yml');
    writeFileSync(broken, text.replace('    depends_on: *after-brokers\n', '    depends_on: [no-such-service]\n'));
    const bad = run('docker-compose', ['-f', broken, 'config', '-q']);
    assert.notEqual(bad.status, 0, 'the broken copy must fail');
    assert.match(bad.stderr, /no-such-service/);
  });

  it('matches the Compose Specification schema, which rejects an unknown key', () => {
    const validate = composeValidator();
    assert.ok(validate(compose), JSON.stringify(validate.errors, null, 2));
    type Loose = { services: Record<string, Record<string, unknown>> };
    const typo = structuredClone(compose) as unknown as Loose;
    typo.services.router.helthcheck = typo.services.router.healthcheck;
    assert.equal(validate(typo), false);
    const badDuration = structuredClone(compose) as unknown as Loose;
    badDuration.services.ingress.stop_grace_period = 'thirty seconds';
    assert.equal(validate(badDuration), false);
  });

  it('runs every TokenFlow process from the one image, each with a healthcheck', () => {
    const names = withImage.map(([name]) => name).sort();
    assert.deepEqual(names, [...APPS, ...ONE_SHOTS].sort(), 'the five services, the mock provider, migrate and seed');
    for (const [name, s] of withImage) {
      assert.deepEqual(s.build, { context: '.', dockerfile: 'deploy/Dockerfile' }, name);
      assert.deepEqual(s.command, [name], `${name} runs as \`${name}\` (deploy/docker-entrypoint.sh)`);
      assert.ok(s.healthcheck?.test?.length, `${name} has a healthcheck`);
      assert.deepEqual(s.healthcheck.test, ['CMD', 'node', '/app/deploy/healthcheck.js'], name);
    }
    for (const name of ['nats', 'redis', 'postgres']) assert.ok(services[name].healthcheck?.test?.length, `${name} has a healthcheck`);
  });

  it('starts in order of health: dependencies, migrations, services, ingress, seed', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        assert.ok(services[dep], `${name} depends on ${dep}, which does not exist`);
        const expected = ONE_SHOTS.includes(dep) ? 'service_completed_successfully' : 'service_healthy';
        assert.equal(condition, expected, `${name} → ${dep}`);
        assert.ok(ONE_SHOTS.includes(dep) || services[dep].healthcheck, `${dep} needs a healthcheck to be waited for`);
      }
    }
    const deps = (name: string) => Object.keys(services[name].depends_on ?? {});
    for (const s of ['router', 'billing']) assert.ok(deps(s).includes('migrate'), `${s} starts after the migrations`);
    assert.deepEqual(deps('migrate'), ['postgres']);
    for (const s of ['router', 'billing', 'ratelimit', 'provider-adapter']) assert.ok(deps('ingress').includes(s), `ingress waits for ${s}`);
    assert.ok(deps('seed').includes('ingress') && deps('seed').includes('mock-provider'));
    // No cycle: every service can be started after its dependencies.
    const started = new Set<string>();
    while (started.size < Object.keys(services).length) {
      const next = Object.keys(services).filter((n) => !started.has(n) && deps(n).every((d) => started.has(d)));
      assert.ok(next.length, `a depends_on cycle among ${Object.keys(services).filter((n) => !started.has(n))}`);
      next.forEach((n) => started.add(n));
    }
    for (const s of ONE_SHOTS) assert.equal(services[s].restart, 'no', `${s} runs once`);
  });

  it('keeps the dev workflow: nats, redis and postgres alone, where `npm start` looks by default', () => {
    for (const name of ['nats', 'redis', 'postgres']) assert.equal(services[name].depends_on, undefined, `${name} starts on its own`);
    const defaults = dependencyDefaults();
    const published = (name: string) => (services[name].ports ?? []).map((p) => p.split(':')[0]);
    assert.ok(published('nats').includes(new URL(defaults.NATS_URL).port), 'NATS on the default NATS_URL port');
    assert.ok(published('redis').includes(new URL(defaults.REDIS_URL).port), 'Redis on the default REDIS_URL port');
    const db = new URL(defaults.DATABASE_URL);
    assert.ok(published('postgres').includes(db.port), 'Postgres on the default DATABASE_URL port');
    assert.equal(services.postgres.environment?.POSTGRES_USER, db.username);
    assert.equal(services.postgres.environment?.POSTGRES_DB, db.pathname.slice(1));
    assert.equal(services.postgres.environment?.POSTGRES_HOST_AUTH_METHOD, 'trust', 'no password, like the default DATABASE_URL');
  });

  it('runs NATS with JetStream on a persistent volume and an explicit max_payload', () => {
    const nats = services.nats;
    const mount = nats.volumes!.find((v) => v.endsWith(':ro'))!;
    const [hostPath, containerPath] = mount.split(':');
    assert.deepEqual(nats.command, ['--config', containerPath]);
    const conf = readRepoFile(hostPath.replace(/^\.\//, ''));
    assert.match(conf, /^max_payload:\s*\d+(MB|KB)?$/m, 'max_payload is set explicitly');
    const storeDir = /jetstream\s*\{[^}]*store_dir:\s*(\S+)/.exec(conf)?.[1];
    assert.ok(storeDir, 'JetStream is on, with a store_dir');
    const data = nats.volumes!.find((v) => v.split(':')[1] === storeDir);
    assert.ok(data && compose.volumes[data.split(':')[0]] !== undefined, `${storeDir} is a named volume`);
    assert.match(nats.healthcheck!.test.join(' '), /js-enabled-only=true/, 'healthy only once JetStream is');
  });

  it('wires each process to the dependencies by service name, the seed to ingress and the mock', () => {
    for (const [name, s] of withImage) {
      const env = s.environment ?? {};
      if (env.NATS_URL) assert.equal(new URL(env.NATS_URL).hostname, 'nats', name);
      if (env.REDIS_URL) assert.equal(new URL(env.REDIS_URL).hostname, 'redis', name);
      if (env.DATABASE_URL) assert.equal(new URL(env.DATABASE_URL).hostname, 'postgres', name);
    }
    for (const s of ['router', 'billing', 'migrate']) assert.ok(services[s].environment?.DATABASE_URL, `${s} has DATABASE_URL`);
    for (const s of ['router', 'billing', 'ratelimit', 'provider-adapter', 'ingress']) assert.ok(services[s].environment?.NATS_URL, `${s} has NATS_URL`);
    for (const s of ['router', 'billing', 'ratelimit', 'provider-adapter']) assert.equal(services[s].environment?.OPS_PORT, '9464', s);
    const seed = services.seed.environment!;
    assert.equal(seed.TOKENFLOW_ADMIN_KEY, services.ingress.environment!.TOKENFLOW_ADMIN_KEY, 'the seed uses the admin key ingress has');
    assert.equal(new URL(seed.INGRESS_URL).host, `ingress:${services.ingress.environment!.PORT}`);
    assert.equal(new URL(seed.MOCK_URL).host, `mock-provider:${services['mock-provider'].environment!.MOCK_PORT}`);
    assert.equal(services['mock-provider'].environment!.MOCK_HOST, '0.0.0.0', 'reachable from the adapter');
    assert.deepEqual(services.ingress.ports, [`${services.ingress.environment!.PORT}:${services.ingress.environment!.PORT}`]);
    for (const k of REAL_KEY_ENVS) assert.equal(seed[k], `\${${k}:-}`, `the seed passes ${k} through (a real channel when it is set)`);
    assert.ok(services.seed.volumes!.some((v) => v.endsWith(`:${seed.TOKENFLOW_SEED_STATE.replace(/\/[^/]+$/, '')}`)), 'the demo key survives a rerun');
  });

  it('drains ingress and the adapter before stopping them, and keeps unacknowledged usage on a volume', () => {
    const grace = Number(readmeDefault('SHUTDOWN_GRACE_MS')) / 1000;
    for (const [name, hardExit] of [['ingress', 8], ['provider-adapter', 5]] as const) {
      assert.ok(seconds(services[name].stop_grace_period ?? '10s') >= grace + hardExit, `${name}: stop_grace_period ≥ ${grace + hardExit}s`);
    }
    const adapter = services['provider-adapter'];
    const spool = adapter.environment!.USAGE_SPOOL_DIR;
    const volume = adapter.volumes!.find((v) => v.split(':')[1] === spool);
    assert.ok(volume && compose.volumes[volume.split(':')[0]] !== undefined, 'USAGE_SPOOL_DIR is a named volume');
  });

  it('holds no secret but dev placeholders and pass-throughs from the environment', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [k, v] of Object.entries(s.environment ?? {})) {
        if (/_URL$/.test(k) && /^[a-z]+:\/\//.test(v)) assert.equal(new URL(v).password, '', `${name}.${k} carries no password`);
        if (!SECRET_NAME.test(k)) continue;
        const passThrough = new RegExp(`^\\$\\{${k}(:-)?\\}$`).test(v);
        const placeholder = /^\$\{\w+:-[\w-]*dev-only[\w-]*\}$/.test(v);
        assert.ok(passThrough || placeholder, `${name}.${k}=${v}: only \${${k}:-} or a dev-only placeholder`);
      }
    }
  });
});
