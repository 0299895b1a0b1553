import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import YAML from 'yaml';
import { FieldChecker, type Manifest, schemaErrors } from './k8s-schema';
import { K8sTree, kustomizeVersion } from './kustomize';
import { METRICS } from './metrics';
import { SETTLEMENT_CONSUMER } from './platform';
import { hasCommand, readmeDefault, repoPath, ROOT, run } from './repo';

// k8s/: every overlay rendered with `kubectl kustomize`, every manifest validated offline against the Kubernetes API
// schema (kubernetes-models: types, enums, required fields; plus unknown fields, which its validator lets through),
// then what TokenFlow needs from them, checked on the rendered objects an API server would receive.

const SERVICES = ['ingress', 'router', 'billing', 'ratelimit', 'provider-adapter'] as const;
const RENDERS = ['base', 'overlays/dev', 'overlays/prod', 'overlays/prod-with-components'] as const;
type Render = (typeof RENDERS)[number];
const OVERLAYS = ['overlays/dev', 'overlays/prod', 'overlays/prod-with-components'] as const;
const NAMESPACE: Record<string, string> = { 'overlays/dev': 'tokenflow-dev', 'overlays/prod': 'tokenflow', 'overlays/prod-with-components': 'tokenflow' };
/** After SHUTDOWN_GRACE_MS, how long each process still allows itself before it exits hard (their config.ts). */
const HARD_EXIT_AFTER_GRACE_S: Record<string, number> = { ingress: 8, 'provider-adapter': 5 };
const SECRET_NAME = /(^|_)(KEY|SECRET|PASSWORD|TOKEN)(_|$)/i;
const CLUSTER_SCOPED = new Set(['Namespace']);

type Workload = { m: Manifest; pod: IPodSpec; labels: Record<string, string> };

const ofKind = <T>(docs: Manifest[], kind: string): (T & Manifest)[] => docs.filter((d) => d.kind === kind) as (T & Manifest)[];
function one<T>(docs: Manifest[], kind: string, name: string): T & Manifest {
  const found = ofKind<T>(docs, kind).filter((d) => d.metadata.name === name);
  assert.equal(found.length, 1, `one ${kind} ${name}`);
  return found[0];
}
function workloads(docs: Manifest[]): Workload[] {
  return docs.flatMap((m) => {
    if (!['Deployment', 'StatefulSet', 'Job'].includes(m.kind)) return [];
    const t = (m as unknown as IDeployment).spec!.template;
    return [{ m, pod: t.spec!, labels: t.metadata?.labels ?? {} }];
  });
}
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
/** Secret data as kustomize writes it: base64 wrapped at 70 columns, which the API server accepts (Go ignores the
 * newlines) and the validator's base64 pattern does not. */
function unwrapSecret(m: Manifest): Manifest {
  if (m.kind !== 'Secret') return m;
  const data = (m as unknown as ISecret).data ?? {};
  return { ...m, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.replace(/\s+/g, '')])) };
}
const secretValue = (s: ISecret, key: string) => Buffer.from(s.data![key].replace(/\s+/g, ''), 'base64').toString('utf8');
const envValue = (c: IContainer, name: string) => c.env?.find((e) => e.name === name)?.value;
const exampleEnv = (overlay: string): Record<string, string> =>
  Object.fromEntries(
    readFileSync(repoPath('k8s', overlay, 'secrets.env.example'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

describe('k8s/', () => {
  let tree: K8sTree;
  const rendered = {} as Record<Render, Manifest[]>;
  let checker: FieldChecker;

  before(() => {
    assert.ok(hasCommand('kubectl'), 'kubectl is not installed (Debian 13: apt-get install kubectl; .ci/run installs it)');
    tree = new K8sTree();
    for (const r of RENDERS) rendered[r] = tree.render(r);
    const kinds = RENDERS.flatMap((r) => rendered[r]).filter((m) => schemaErrors(m).every((e) => !e.includes('not a Kubernetes API type')));
    checker = new FieldChecker(ROOT, kinds);
  });
  after(() => tree?.remove());

  it('renders the base, both overlays and prod with its optional components, with kustomize v5', () => {
    const version = kustomizeVersion();
    assert.match(version ?? '', /^v([5-9]|\d{2,})\./, `kustomize ${version}: components and labels need v5 (Debian's kubectl 1.32 has 5.5)`);
    assert.deepEqual([...tree.optionalComponents].sort(), ['billing-lag-hpa', 'ingress-nginx'], 'prod lists both optional components');
    for (const r of RENDERS) assert.ok(rendered[r].length > 20, `${r}: ${rendered[r].length} objects`);
  });

  it('renders only manifests that match the Kubernetes API schema', () => {
    for (const r of RENDERS) {
      for (const m of rendered[r]) assert.deepEqual(schemaErrors(unwrapSecret(m)), [], `${r}: ${m.kind} ${m.metadata.name}`);
    }
    // The validator is really on: a wrong type is an error.
    const deployment = structuredClone(one<IDeployment>(rendered['overlays/prod'], 'Deployment', 'router'));
    deployment.spec!.template.spec!.containers[0].ports![0].containerPort = 'ops' as unknown as number;
    assert.notDeepEqual(schemaErrors(deployment), []);
  });

  it('renders no field the API does not define', () => {
    for (const r of RENDERS) {
      for (const m of rendered[r]) assert.deepEqual(checker.unknownFields(m), [], `${r}: ${m.kind} ${m.metadata.name}`);
    }
    const typo = structuredClone(one<IDeployment>(rendered['overlays/prod'], 'Deployment', 'router'));
    const container = typo.spec!.template.spec!.containers[0] as IContainer & { readinesProbe?: unknown };
    container.readinesProbe = container.readinessProbe;
    assert.deepEqual(checker.unknownFields(typo), ['Deployment.spec.template.spec.containers[0].readinesProbe']);
  });

  it('resolves every reference inside each overlay: Secrets and their keys, ConfigMaps, claims, selectors, ports', () => {
    for (const r of OVERLAYS) {
      const docs = rendered[r];
      const byName = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);
      const all = workloads(docs);
      for (const { m, pod } of all) {
        const where = `${r}: ${m.kind} ${m.metadata.name}`;
        const claimTemplates = (m as unknown as IStatefulSet).spec?.volumeClaimTemplates?.map((t) => t.metadata!.name!) ?? [];
        for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
          for (const e of c.env ?? []) {
            const s = e.valueFrom?.secretKeyRef;
            if (s) assert.ok((byName('Secret', s.name!) as ISecret | undefined)?.data?.[s.key], `${where}: ${e.name} ← Secret ${s.name} key ${s.key}`);
            const cm = e.valueFrom?.configMapKeyRef;
            if (cm) assert.ok((byName('ConfigMap', cm.name!) as IConfigMap | undefined)?.data?.[cm.key], `${where}: ${e.name} ← ConfigMap ${cm.name}`);
          }
          for (const f of c.envFrom ?? []) {
            if (f.configMapRef) assert.ok(byName('ConfigMap', f.configMapRef.name!), `${where}: envFrom ConfigMap ${f.configMapRef.name}`);
            if (f.secretRef) assert.ok(byName('Secret', f.secretRef.name!), `${where}: envFrom Secret ${f.secretRef.name}`);
          }
          for (const vm of c.volumeMounts ?? []) {
            assert.ok(pod.volumes?.some((v) => v.name === vm.name) || claimTemplates.includes(vm.name), `${where}: volume ${vm.name}`);
          }
        }
        for (const v of pod.volumes ?? []) {
          if (v.configMap) assert.ok(byName('ConfigMap', v.configMap.name!), `${where}: ConfigMap ${v.configMap.name}`);
          if (v.secret) assert.ok(byName('Secret', v.secret.secretName!), `${where}: Secret ${v.secret.secretName}`);
          if (v.persistentVolumeClaim) assert.ok(byName('PersistentVolumeClaim', v.persistentVolumeClaim.claimName), `${where}: claim ${v.persistentVolumeClaim.claimName}`);
        }
        if (m.kind === 'StatefulSet') assert.ok(byName('Service', (m as unknown as IStatefulSet).spec!.serviceName!), `${where}: its governing Service`);
      }
      for (const svc of ofKind<IService>(docs, 'Service')) {
        const targets = all.filter((w) => selects(svc.spec!.selector, w.labels));
        assert.ok(targets.length, `${r}: Service ${svc.metadata.name} selects a workload`);
        for (const p of svc.spec!.ports!) {
          const ports = targets.flatMap((w) => w.pod.containers.flatMap((c) => c.ports ?? []));
          const target = p.targetPort ?? p.port;
          assert.ok(ports.some((cp) => cp.name === target || cp.containerPort === target), `${r}: Service ${svc.metadata.name} port ${p.name} → ${target}`);
        }
      }
      for (const hpa of ofKind<IHorizontalPodAutoscaler>(docs, 'HorizontalPodAutoscaler')) {
        assert.ok(byName(hpa.spec!.scaleTargetRef.kind, hpa.spec!.scaleTargetRef.name), `${r}: HPA ${hpa.metadata.name} target`);
      }
      for (const pdb of ofKind<IPodDisruptionBudget>(docs, 'PodDisruptionBudget')) {
        assert.ok(all.some((w) => selects(pdb.spec!.selector?.matchLabels, w.labels)), `${r}: PDB ${pdb.metadata.name} selects pods`);
      }
      for (const ing of ofKind<IIngress>(docs, 'Ingress')) {
        for (const path of ing.spec!.rules!.flatMap((rule) => rule.http!.paths)) {
          const svc = byName('Service', path.backend.service!.name) as IService | undefined;
          assert.ok(svc?.spec?.ports?.some((p) => p.name === path.backend.service!.port!.name), `${r}: Ingress → ${path.backend.service!.name}`);
        }
      }
    }
  });

  it('gives each service a Deployment, a Service, a CPU HorizontalPodAutoscaler (autoscaling/v2) and a PodDisruptionBudget', () => {
    for (const r of RENDERS) {
      const docs = rendered[r];
      for (const app of SERVICES) {
        const d = one<IDeployment>(docs, 'Deployment', app);
        assert.equal(d.spec!.replicas, undefined, `${r}: ${app} leaves replicas to its HPA`);
        one<IService>(docs, 'Service', app);
        const hpa = one<IHorizontalPodAutoscaler>(docs, 'HorizontalPodAutoscaler', app);
        assert.equal(hpa.apiVersion, 'autoscaling/v2');
        assert.deepEqual(hpa.spec!.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: app });
        assert.ok(hpa.spec!.metrics!.some((x) => x.type === 'Resource' && x.resource!.name === 'cpu' && x.resource!.target.averageUtilization), `${r}: ${app} scales on CPU`);
        assert.ok(hpa.spec!.minReplicas! >= 1 && hpa.spec!.maxReplicas > hpa.spec!.minReplicas! - 1);
        const pdb = one<IPodDisruptionBudget>(docs, 'PodDisruptionBudget', app);
        assert.deepEqual(pdb.spec!.selector!.matchLabels, d.spec!.selector.matchLabels);
      }
    }
    for (const app of SERVICES) {
      assert.ok(one<IHorizontalPodAutoscaler>(rendered['overlays/prod'], 'HorizontalPodAutoscaler', app).spec!.minReplicas! >= 2, `prod: ${app} keeps two replicas`);
    }
  });

  it('probes /healthz and /readyz on the port the service serves them, with resources, graceful shutdown and scrape annotations', () => {
    const grace = Number(readmeDefault('SHUTDOWN_GRACE_MS')) / 1000;
    for (const r of RENDERS) {
      for (const app of SERVICES) {
        const d = one<IDeployment>(rendered[r], 'Deployment', app);
        const pod = d.spec!.template.spec!;
        assert.equal(pod.containers.length, 1);
        const [c] = pod.containers;
        const where = `${r}: ${app}`;
        assert.deepEqual(c.args, [app], `${where} runs \`${app}\``);
        assert.equal(envValue(c, 'OTEL_SERVICE_NAME'), app);
        for (const k of ['requests', 'limits'] as const) for (const res of ['cpu', 'memory']) assert.ok(c.resources?.[k]?.[res], `${where}: ${k}.${res}`);
        // The port: ingress's PORT, the others' OPS_PORT, declared by name and used by every probe.
        const portEnv = app === 'ingress' ? 'PORT' : 'OPS_PORT';
        const portNumber = Number(envValue(c, portEnv));
        const declared = c.ports!.find((p) => p.containerPort === portNumber);
        assert.ok(declared?.name, `${where}: ${portEnv}=${portNumber} is a named container port`);
        assert.equal(c.livenessProbe?.httpGet?.path, '/healthz', `${where}: liveness`);
        assert.equal(c.readinessProbe?.httpGet?.path, '/readyz', `${where}: readiness`);
        for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) assert.equal(probe?.httpGet?.port, declared.name, `${where}: probe port`);
        const annotations = d.spec!.template.metadata!.annotations!;
        assert.equal(annotations['prometheus.io/scrape'], 'true', where);
        assert.equal(annotations['prometheus.io/port'], String(portNumber), `${where}: metrics are on ${portEnv}`);
        assert.equal(annotations['prometheus.io/path'], '/metrics', where);
        // preStop, then SIGTERM: the process's whole shutdown must fit before the kubelet's SIGKILL.
        const sleep = c.lifecycle?.preStop?.exec?.command;
        assert.equal(sleep?.[0], 'sleep', `${where}: preStop sleep`);
        const preStop = Number(sleep[1]);
        assert.ok(preStop >= 3 && preStop <= 15, `${where}: preStop ${preStop}s`);
        const budget = pod.terminationGracePeriodSeconds!;
        if (app in HARD_EXIT_AFTER_GRACE_S) {
          const appGrace = Number(envValue(c, 'SHUTDOWN_GRACE_MS') ?? grace * 1000) / 1000;
          assert.ok(appGrace > grace, `${where}: SHUTDOWN_GRACE_MS raised above the ${grace}s default to drain streams`);
          assert.ok(budget >= preStop + appGrace + HARD_EXIT_AFTER_GRACE_S[app], `${where}: terminationGracePeriodSeconds ${budget} ≥ ${preStop} + ${appGrace} + ${HARD_EXIT_AFTER_GRACE_S[app]}`);
        } else {
          assert.ok(budget >= preStop + 30, `${where}: terminationGracePeriodSeconds ${budget} leaves 30 s after preStop`);
        }
        assert.ok(c.volumeMounts?.some((v) => v.mountPath === '/tmp' && pod.volumes?.find((x) => x.name === v.name)?.emptyDir), `${where}: /tmp is an emptyDir`);
      }
    }
  });

  it('runs every pod under the restricted Pod Security Standard, read-only root filesystem included', () => {
    for (const r of RENDERS) {
      for (const { m, pod } of workloads(rendered[r])) {
        const where = `${r}: ${m.kind} ${m.metadata.name}`;
        assert.equal(pod.automountServiceAccountToken, false, `${where}: no API token`);
        assert.ok(!pod.hostNetwork && !pod.hostPID && !pod.hostIPC, where);
        assert.ok(!pod.volumes?.some((v) => v.hostPath), `${where}: no hostPath`);
        for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
          const sc = c.securityContext ?? {};
          assert.equal(sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, true, `${where}/${c.name}: runAsNonRoot`);
          assert.notEqual(sc.runAsUser ?? pod.securityContext?.runAsUser, 0, `${where}/${c.name}: not uid 0`);
          assert.equal((sc.seccompProfile ?? pod.securityContext?.seccompProfile)?.type, 'RuntimeDefault', `${where}/${c.name}: seccomp`);
          assert.equal(sc.allowPrivilegeEscalation, false, `${where}/${c.name}: allowPrivilegeEscalation`);
          assert.equal(sc.privileged ?? false, false, `${where}/${c.name}: privileged`);
          assert.deepEqual(sc.capabilities?.drop, ['ALL'], `${where}/${c.name}: drops ALL capabilities`);
          assert.equal(sc.capabilities?.add, undefined, `${where}/${c.name}: adds none`);
          assert.equal(sc.readOnlyRootFilesystem, true, `${where}/${c.name}: read-only root filesystem`);
        }
      }
    }
    for (const r of OVERLAYS) {
      const ns = one<INamespace>(rendered[r], 'Namespace', NAMESPACE[r]);
      assert.equal(ns.metadata!.labels!['pod-security.kubernetes.io/enforce'], 'restricted', `${r}: the namespace enforces it`);
      for (const m of rendered[r]) if (!CLUSTER_SCOPED.has(m.kind)) assert.equal(m.metadata.namespace, NAMESPACE[r], `${r}: ${m.kind} ${m.metadata.name}`);
    }
  });

  it('spools the adapter usage on a volume: emptyDir in dev, one ReadWriteMany claim shared by every replica in prod', () => {
    const spoolVolume = (r: Render) => {
      const pod = one<IDeployment>(rendered[r], 'Deployment', 'provider-adapter').spec!.template.spec!;
      const dir = envValue(pod.containers[0], 'USAGE_SPOOL_DIR');
      assert.ok(dir?.startsWith('/'), `${r}: USAGE_SPOOL_DIR is set`);
      const mount = pod.containers[0].volumeMounts!.find((v) => v.mountPath === dir);
      assert.ok(mount, `${r}: ${dir} is a mount`);
      return pod.volumes!.find((v) => v.name === mount.name)!;
    };
    assert.ok(spoolVolume('overlays/dev').emptyDir, 'dev: emptyDir (outlives container restarts)');
    for (const r of ['overlays/prod', 'overlays/prod-with-components'] as const) {
      const v = spoolVolume(r);
      assert.equal(v.emptyDir, undefined, `${r}: the emptyDir is replaced, not added to`);
      const claim = one<IPersistentVolumeClaim>(rendered[r], 'PersistentVolumeClaim', v.persistentVolumeClaim!.claimName);
      assert.deepEqual(claim.spec!.accessModes, ['ReadWriteMany'], `${r}: shared by the adapter replicas`);
    }
  });

  it('migrates with a Job that runs `migrate` with DATABASE_URL from the Secret', () => {
    for (const r of RENDERS) {
      const job = one<IJob>(rendered[r], 'Job', 'tokenflow-migrate');
      const [c] = job.spec!.template.spec!.containers;
      assert.deepEqual(c.args, ['migrate']);
      assert.match(c.env!.find((e) => e.name === 'DATABASE_URL')!.valueFrom!.secretKeyRef!.name!, /^tokenflow-secrets/);
      assert.equal(job.spec!.template.spec!.restartPolicy, 'Never');
      assert.ok(job.spec!.backoffLimit! >= 3, 'retries while the database comes up');
    }
  });

  it('runs NATS as a 3-node JetStream cluster: StatefulSet, headless Service, config from a ConfigMap', () => {
    for (const r of RENDERS) {
      const docs = rendered[r];
      const sts = one<IStatefulSet>(docs, 'StatefulSet', 'nats');
      const spec = sts.spec!;
      assert.equal(spec.replicas, 3, `${r}: three servers`);
      // Billing creates the streams: as many replicas as servers, so usage events survive losing one (R3).
      const billing = one<IDeployment>(docs, 'Deployment', 'billing').spec!.template.spec!.containers[0];
      assert.equal(billing.env!.find((e) => e.name === 'NATS_STREAM_REPLICAS')?.value, String(spec.replicas), `${r}: streams replicated on every server`);
      const headless = one<IService>(docs, 'Service', spec.serviceName!);
      assert.equal(headless.spec!.clusterIP, 'None', `${r}: ${spec.serviceName} is headless`);
      assert.equal(headless.spec!.publishNotReadyAddresses, true, 'routes resolve before the cluster is ready');
      const pod = spec.template.spec!;
      const [c] = pod.containers;
      const configVolume = pod.volumes!.find((v) => v.configMap)!;
      const configMount = c.volumeMounts!.find((v) => v.name === configVolume.name)!;
      const cm = one<IConfigMap>(docs, 'ConfigMap', configVolume.configMap!.name!);
      const file = c.command![c.command!.indexOf('--config') + 1];
      assert.ok(file.startsWith(`${configMount.mountPath}/`), `${r}: the server reads the mounted config`);
      const conf = cm.data![file.slice(configMount.mountPath.length + 1)];
      assert.ok(conf, `${r}: ${file} is in ConfigMap ${cm.metadata!.name}`);
      assert.match(conf, /^max_payload:\s*\d+(MB|KB)?$/m, 'max_payload is explicit');
      assert.match(conf, /^server_name:\s*\$POD_NAME$/m, 'each server is named after its pod');
      assert.deepEqual(c.env!.find((e) => e.name === 'POD_NAME')!.valueFrom!.fieldRef, { fieldPath: 'metadata.name' });
      const clusterPort = c.ports!.find((p) => p.name === 'cluster')!.containerPort;
      const routes = [...conf.matchAll(/nats:\/\/([\w.-]+):(\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
      assert.deepEqual(routes, [0, 1, 2].map((i) => `nats-${i}.${spec.serviceName}:${clusterPort}`), `${r}: a route to every server`);
      const storeDir = /jetstream\s*\{[^}]*store_dir:\s*(\S+)/.exec(conf)?.[1];
      const dataMount = c.volumeMounts!.find((v) => v.mountPath === storeDir);
      assert.ok(dataMount && spec.volumeClaimTemplates!.some((t) => t.metadata!.name === dataMount.name), `${r}: JetStream stores on a claim per server`);
      assert.match(c.readinessProbe!.httpGet!.path!, /^\/healthz/, 'readiness from the monitoring port');
      const client = one<IService>(docs, 'Service', 'nats');
      const config = ofKind<IConfigMap>(docs, 'ConfigMap').find((m) => m.metadata.name.startsWith('tokenflow-config'))!;
      const natsUrl = new URL(config.data!.NATS_URL);
      assert.equal(natsUrl.hostname, 'nats');
      assert.ok(client.spec!.ports!.some((p) => p.port === Number(natsUrl.port)), 'NATS_URL reaches the client Service');
      assert.equal(one<IPodDisruptionBudget>(docs, 'PodDisruptionBudget', 'nats').spec!.maxUnavailable, 1, 'quorum kept through a drain');
    }
    for (const r of ['overlays/prod', 'overlays/prod-with-components'] as const) {
      const anti = one<IStatefulSet>(rendered[r], 'StatefulSet', 'nats').spec!.template.spec!.affinity?.podAntiAffinity;
      const term = anti?.requiredDuringSchedulingIgnoredDuringExecution?.[0];
      assert.equal(term?.topologyKey, 'kubernetes.io/hostname', `${r}: one NATS server per node, always`);
      assert.deepEqual(term.labelSelector!.matchLabels, { 'app.kubernetes.io/name': 'nats' });
    }
  });

  it('spreads every service over nodes in prod', () => {
    for (const r of ['overlays/prod', 'overlays/prod-with-components'] as const) {
      for (const app of SERVICES) {
        const d = one<IDeployment>(rendered[r], 'Deployment', app);
        const term = d.spec!.template.spec!.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0]?.podAffinityTerm;
        assert.equal(term?.topologyKey, 'kubernetes.io/hostname', `${r}: ${app}`);
        assert.ok(selects(term.labelSelector?.matchLabels, d.spec!.template.metadata!.labels!), `${r}: ${app} avoids its own replicas`);
      }
    }
    for (const app of SERVICES) assert.equal(one<IDeployment>(rendered['overlays/dev'], 'Deployment', app).spec!.template.spec!.affinity, undefined, 'dev: anywhere');
  });

  it('runs Redis, Postgres, the mock provider and a seed Job in dev, and points prod at managed endpoints', () => {
    const dev = rendered['overlays/dev'];
    const devSecret = ofKind<ISecret>(dev, 'Secret')[0];
    for (const [name, urlKey] of [['redis', 'REDIS_URL'], ['postgres', 'DATABASE_URL']]) {
      one<IStatefulSet>(dev, 'StatefulSet', name);
      const svc = one<IService>(dev, 'Service', name);
      const url = new URL(secretValue(devSecret, urlKey));
      assert.equal(url.hostname, name, `dev: ${urlKey} names the in-cluster ${name}`);
      assert.equal(Number(url.port), svc.spec!.ports![0].port);
    }
    assert.equal(new URL(secretValue(devSecret, 'DATABASE_URL')).password, secretValue(devSecret, 'POSTGRES_PASSWORD'), 'dev: the password Postgres is started with');
    const seed = one<IJob>(dev, 'Job', 'tokenflow-seed').spec!.template.spec!.containers[0];
    assert.deepEqual(seed.args, ['seed']);
    const mock = one<IService>(dev, 'Service', 'mock-provider');
    assert.equal(new URL(envValue(seed, 'MOCK_URL')!).host, `mock-provider:${mock.spec!.ports![0].port}`);
    assert.equal(new URL(envValue(seed, 'INGRESS_URL')!).hostname, 'ingress');
    assert.equal(envValue(one<IDeployment>(dev, 'Deployment', 'mock-provider').spec!.template.spec!.containers[0], 'MOCK_HOST'), '0.0.0.0');

    for (const r of ['overlays/prod', 'overlays/prod-with-components'] as const) {
      const docs = rendered[r];
      for (const name of ['redis', 'postgres', 'mock-provider']) {
        assert.ok(!docs.some((d) => d.metadata.name === name), `${r}: no in-cluster ${name}`);
      }
      assert.ok(!docs.some((d) => d.metadata.name === 'tokenflow-seed'), `${r}: no demo seed`);
      const secret = ofKind<ISecret>(docs, 'Secret')[0];
      for (const key of ['DATABASE_URL', 'REDIS_URL']) {
        const host = new URL(secretValue(secret, key)).hostname;
        assert.ok(host.includes('.'), `${r}: ${key} names a managed endpoint (${host}), not an in-cluster Service`);
      }
    }
  });

  it('commits no secret: Secrets come from git-ignored secrets.env files whose examples hold placeholders only', () => {
    assert.equal(ofKind(rendered.base, 'Secret').length, 0, 'the base has no Secret');
    for (const overlay of ['overlays/dev', 'overlays/prod']) {
      const kustomization = YAML.parse(readFileSync(repoPath('k8s', overlay, 'kustomization.yaml'), 'utf8')) as { secretGenerator: { name: string; envs: string[] }[] };
      assert.deepEqual(kustomization.secretGenerator, [{ name: 'tokenflow-secrets', envs: ['secrets.env'] }], overlay);
      assert.equal(run('git', ['check-ignore', '-q', join('k8s', overlay, 'secrets.env')]).status, 0, `${overlay}/secrets.env is git-ignored`);
      const example = exampleEnv(overlay);
      const secret = ofKind<ISecret>(rendered[overlay as Render], 'Secret')[0];
      assert.deepEqual(Object.keys(secret.data!).sort(), Object.keys(example).sort(), `${overlay}: the example lists every key the Secret has`);
      for (const [k, v] of Object.entries(example)) {
        const placeholder = /CHANGE_ME|dev-only/.test(v);
        if (SECRET_NAME.test(k)) assert.ok(placeholder, `${overlay}: ${k} is a placeholder`);
        if (/_URL$/.test(k)) assert.ok(!new URL(v).password || placeholder, `${overlay}: ${k}'s password is a placeholder`);
      }
    }
    const tracked = run('git', ['ls-files', 'k8s']).stdout.split('\n');
    assert.ok(!tracked.some((f) => f.endsWith('secrets.env')), 'no secrets.env is committed');
  });

  it('offers an Ingress for SSE: no buffering, timeouts past REQUEST_TIMEOUT_MS, a body limit past BODY_LIMIT_BYTES', () => {
    const docs = rendered['overlays/prod-with-components'];
    assert.equal(ofKind(rendered['overlays/prod'], 'Ingress').length, 0, 'optional: not in prod by default');
    const [ing] = ofKind<IIngress>(docs, 'Ingress');
    assert.ok(ing, 'the ingress-nginx component adds one');
    const a = ing.metadata.annotations!;
    const nginx = (k: string) => a[`nginx.ingress.kubernetes.io/${k}`];
    assert.equal(nginx('proxy-buffering'), 'off', 'SSE chunks are not held back');
    assert.equal(nginx('proxy-request-buffering'), 'off');
    const deadline = Number(readmeDefault('REQUEST_TIMEOUT_MS')) / 1000;
    for (const k of ['proxy-read-timeout', 'proxy-send-timeout']) assert.ok(Number(nginx(k)) > deadline, `${k} ${nginx(k)} > ${deadline} s`);
    const bodyLimit = Number(readmeDefault('BODY_LIMIT_BYTES'));
    const [, size, unit] = /^(\d+)([kmg]?)$/.exec(nginx('proxy-body-size'))!;
    assert.ok(Number(size) * { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[unit]! > bodyLimit, 'TokenFlow, not nginx, refuses an oversized body');
    assert.equal(ing.spec!.ingressClassName, 'nginx');
    // Only the APIs go public: /metrics (cost and traffic by model), /healthz and /readyz stay in the cluster.
    const paths = ing.spec!.rules!.flatMap((rule) => rule.http!.paths.map((p) => p.path));
    assert.deepEqual(paths.sort(), ['/admin', '/v1']);
  });

  it('can scale billing on the settlement consumer lag through an external metric that billing exports', () => {
    const cpuOnly = one<IHorizontalPodAutoscaler>(rendered['overlays/prod'], 'HorizontalPodAutoscaler', 'billing').spec!.metrics!;
    assert.deepEqual(cpuOnly.map((m) => m.type), ['Resource'], 'without the component: CPU only');
    const metrics = one<IHorizontalPodAutoscaler>(rendered['overlays/prod-with-components'], 'HorizontalPodAutoscaler', 'billing').spec!.metrics!;
    assert.ok(metrics.some((m) => m.type === 'Resource' && m.resource!.name === 'cpu'), 'still on CPU too');
    const lag = metrics.find((m) => m.type === 'External')!.external!;
    assert.ok(lag.metric.name in METRICS, `${lag.metric.name} is a metric the services export`);
    assert.deepEqual(lag.metric.selector!.matchLabels, { consumer: SETTLEMENT_CONSUMER }, 'the settlement consumer');
    assert.equal(lag.target.type, 'AverageValue');
    assert.ok(Number(lag.target.averageValue) > 0);
  });

  it('runs TokenFlow from the overlay image and every other image pinned to a version', () => {
    const expected: Record<string, string> = { base: 'tokenflow:dev', 'overlays/dev': 'tokenflow:dev', 'overlays/prod': 'registry.example.com/tokenflow:0.1.0', 'overlays/prod-with-components': 'registry.example.com/tokenflow:0.1.0' };
    for (const r of RENDERS) {
      for (const { m, pod } of workloads(rendered[r])) {
        for (const c of pod.containers) {
          if (c.image!.includes('tokenflow')) assert.equal(c.image, expected[r], `${r}: ${m.metadata.name}`);
          else assert.match(c.image!, /^[\w./-]+:\d+\.\d+(\.\d+)?(-[\w.]+)?$/, `${r}: ${m.metadata.name} pins ${c.image} to a release`);
        }
      }
    }
  });
});
