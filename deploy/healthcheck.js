#!/usr/bin/env node
// The image's HEALTHCHECK (docker and docker compose; Kubernetes uses its own probes on the same endpoints).
// Healthy = ready: the process's readiness endpoint answers 2xx (its NATS/Redis/Postgres connections are up and it
// is not draining), so `depends_on: condition: service_healthy` waits for a service that can take work.
//
// Which process runs is read from TOKENFLOW_APP or, since the image's command names it, from PID 1's command line.
// Where each listens: ingress on PORT (3000), the mock provider on MOCK_PORT (4010, /healthz only), the other
// services on OPS_PORT (9464). One-shot commands (migrate, seed) have nothing to probe and count as healthy.
'use strict';
const { readFileSync } = require('node:fs');

const SERVICES = ['ingress', 'router', 'billing', 'ratelimit', 'provider-adapter', 'mock-provider'];
const ONE_SHOTS = ['migrate', 'seed'];

function runningApp(env) {
  if (env.TOKENFLOW_APP) return env.TOKENFLOW_APP;
  let argv = [];
  try {
    argv = readFileSync('/proc/1/cmdline', 'utf8').split('\0');
  } catch {
    return undefined;
  }
  for (const arg of argv) {
    const built = /dist\/apps\/([a-z-]+)\/src\/main\.js$/.exec(arg);
    if (built) return built[1];
    const tool = /dist\/tools\/start\/(migrate|seed)(?:-cli)?\.js$/.exec(arg);
    if (tool) return tool[1];
    if (SERVICES.includes(arg) || ONE_SHOTS.includes(arg)) return arg;
  }
  return undefined;
}

function probeUrl(app, env) {
  if (app === 'ingress') return `http://127.0.0.1:${env.PORT || 3000}/readyz`;
  if (app === 'mock-provider') return `http://127.0.0.1:${env.MOCK_PORT || 4010}/healthz`;
  return `http://127.0.0.1:${env.OPS_PORT || 9464}/readyz`;
}

async function main() {
  const app = runningApp(process.env);
  if (ONE_SHOTS.includes(app)) return 0;
  if (!SERVICES.includes(app)) {
    console.error(`healthcheck: cannot tell which TokenFlow process runs (got "${app}"); set TOKENFLOW_APP`);
    return 1;
  }
  const url = probeUrl(app, process.env);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    if (res.ok) return 0;
    console.error(`healthcheck: ${url} answered ${res.status}`);
  } catch (err) {
    console.error(`healthcheck: ${url}: ${err.message}`);
  }
  return 1;
}

main().then((code) => process.exit(code));
