// What blue/green does to one home, for the plan's steps (src/run/steps/bluegreen.ts) and for
// `mcp environments retire-blue`: deploy the idle color beside the live one and health-check it (MCP protocol
// included) before anything switches; switch traffic to it; hold it under the canary gates; retire the old one.
//   kubernetes  `<name>-<color>` Deployments with a color label; traffic: the app Services' selectors
//   none        mcp runs nothing: the idle color is the endpoints the config names now; traffic: the traefik
//               file provider's mcp-traffic.yml (src/bluegreen/traffic.ts)
//   docker      the new color a compose project of its own beside the platform's, on its network
//               (src/bluegreen/docker.ts); traffic: the same traefik file, at the color's network aliases
import { readStoredConfig } from '../config/store.js';
import { interruptedError } from '../errors.js';
import { DEFAULT_NAMESPACE } from '../runtime/kubernetes.js';
import type { PlatformServices, ServiceSpec } from '../runtime/services.js';
import type { Condition, Plan } from '../run/plan.js';
import { run, type RunOptions } from '../runtime/exec.js';
import { COLOR_LABEL, appDeployments, appServiceNames, colorDeployments, colored, deleteDeployments, readSelectors, setSelectors, throughPortForward, type KubeOpts } from './kubernetes.js';
import { TrafficFileError, appServices, endpointsOf, trafficFile, writeTraffic } from './traffic.js';
import { other, readBlueGreen, writeBlueGreen, type BlueGreenState, type Color, type ColorRecord } from './state.js';

export interface BgEnv {
  home: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  detail(msg: string): void;
}

export const DEFAULT_KEEP_MS = 24 * 3600_000;

async function platformOf(home: string) {
  const { loadPlatform } = await import('../runtime/index.js');
  return loadPlatform(home);
}

/** Where a home's Kubernetes runtime lives (namespace, context) and how kubectl is run for it. */
export function kubeOpts(p: PlatformServices, e: Pick<BgEnv, 'env' | 'signal' | 'detail'>): KubeOpts {
  const ro: RunOptions = { env: e.env, signal: e.signal, echo: e.detail, timeoutMs: 120_000 };
  return { namespace: p.runtime.namespace ?? DEFAULT_NAMESPACE, context: p.runtime.context, ro };
}

/** The config converted as `mcp deploy` converts it (the objects of every service). */
async function objectsOf(home: string, namespace: string) {
  const cfg = await readStoredConfig(home);
  const { projectFromPlatform } = await import('../k8s/platform.js');
  const { convertCompose, DEFAULTS } = await import('../k8s/convert.js');
  const src = projectFromPlatform(cfg.doc as Record<string, unknown>, home, cfg.path);
  return convertCompose(src.project, { ...DEFAULTS, namespace }).objects;
}

export async function refuseRuntime(p: PlatformServices, home: string): Promise<string | undefined> {
  // docker and none: traffic is switched through traefik's file provider, which must be found before anything runs
  if (p.runtime.type !== 'kubernetes') {
    try {
      await trafficFile(p, home);
    } catch (e) {
      if (e instanceof TrafficFileError) return e.message;
      throw e;
    }
  }
  return undefined;
}

/**
 * Before a deploy changes anything: the idle color must be free. One kept from the previous switch (the old live
 * color, for that run's rollback) is retired first, never overwritten; one this run deployed (a resumed run) is fine.
 */
export async function refuseKeptIdle(home: string, runId: string): Promise<void> {
  const s = await readBlueGreen(home);
  if (!s) return;
  const idle = other(s.active);
  const rec = s.colors[idle];
  if (rec && rec.runId !== runId) {
    throw new Error(`the ${idle} deployment is still kept${s.keepUntil ? ` until ${s.keepUntil}` : ''} for the rollback of the previous switch: retire it first (mcp environments retire-blue${s.keepUntil ? ', or --expired after that' : ''}), then run again`);
  }
}

/** The home's blue/green state; with none yet, what runs there now is blue. */
export async function currentState(home: string, p: PlatformServices): Promise<BlueGreenState> {
  const s = await readBlueGreen(home);
  if (s) return s;
  const apps = appServices(p).map((x) => x.name);
  let workloads: string[] = [];
  // Kubernetes: the Deployments `mcp deploy` made, by their own names
  if (p.runtime.type === 'kubernetes') workloads = appDeployments(await objectsOf(home, kubeOpts(p, { env: {}, detail: () => {} }).namespace), apps).map((d) => d.metadata.name);
  // docker: the platform's own compose project, where traefik reaches each service by its service name
  const docker = p.runtime.type === 'docker' ? (await import('./docker.js')).platformRecord(p, home, appServices(p)) : { endpoints: {} };
  return { format: 'mcp.bluegreen/1', runtime: p.runtime.type, active: 'blue', colors: { blue: { deployedAt: new Date(0).toISOString(), services: apps, workloads, ...docker } } };
}

/** The names the color's Deployments get (also what an interrupted deploy may have left). */
export async function colorWorkloads(home: string, p: PlatformServices, color: Color): Promise<string[]> {
  if (p.runtime.type !== 'kubernetes') return [];
  const objects = await objectsOf(home, kubeOpts(p, { env: {}, detail: () => {} }).namespace);
  return colorDeployments(objects, appServices(p).map((s) => s.name), color).map((d) => d.metadata.name);
}

export interface Probe {
  service: string;
  ok: boolean;
  detail: string;
}

/**
 * Every app service of `color` answers its health check (MCP servers: initialize + tools/list), strictly. docker:
 * at the ports `color` publishes on this host (`ports`, from its placement or record).
 */
async function probeColor(e: BgEnv, p: PlatformServices, color: Color, ports?: Record<string, string[]>, withinMs = 0): Promise<Probe[]> {
  const apps = appServices(p);
  const { checkService, containerPort, effectiveCheck } = await import('../health/checks.js');
  if (p.runtime.type !== 'kubernetes') {
    const { untilHealthy } = await import('../health/rule.js');
    const targets = p.runtime.type === 'docker' && ports ? (await import('./docker.js')).probeSpecs(apps, ports) : apps;
    // docker: the probe decides (the runtime's states are the platform project's; a color may be another)
    const judged = await untilHealthy({ ...p, runtime: { ...p.runtime, type: 'none' } }, targets, { home: e.home, env: e.env, signal: e.signal, strict: true, withinMs });
    return judged.map((h) => ({ service: h.name, ok: h.healthy, detail: h.detail }));
  }
  // kubernetes: each pod of the new color from here through kubectl port-forward, before a Service sends it traffic
  const k = kubeOpts(p, e);
  const objects = await objectsOf(e.home, k.namespace);
  const out: Probe[] = [];
  for (const s of apps) {
    const [dep] = colorDeployments(objects, [s.name], color);
    const hc = effectiveCheck(s);
    const port = hc?.port ?? containerPort(s);
    if (!dep || !hc || hc.type === 'command' || s.transport === 'stdio' || port === undefined) {
      out.push({ service: s.name, ok: true, detail: 'rolled out; nothing to probe from here (no network health check)' });
      continue;
    }
    const c = await throughPortForward(dep.metadata.name, port, k, (local) => checkService({ ...s, ports: [], healthCheck: { ...hc, url: undefined, host: '127.0.0.1', port: local } } as ServiceSpec, { env: e.env, signal: e.signal }));
    out.push({ service: s.name, ok: c.healthy, detail: `${c.detail} (deployment/${dep.metadata.name}, port ${port})` });
  }
  return out;
}

/**
 * Deploy the idle color and health-check it; the state records it (traffic does not move). Throws naming each
 * unhealthy service; on Kubernetes a failed rollout has already undone its own changes (src/k8s/deploy.ts).
 */
export async function deployIdle(e: BgEnv, opts: { runId: string; timeoutSeconds?: number }): Promise<{ color: Color; active: Color; record: ColorRecord; health: Probe[] }> {
  const p = await platformOf(e.home);
  const refused = await refuseRuntime(p, e.home);
  if (refused) throw new Error(refused);
  await refuseKeptIdle(e.home, opts.runId);
  const state = await currentState(e.home, p);
  const color = other(state.active);
  const apps = appServices(p).map((s) => s.name);
  let workloads: string[] = [];
  if (p.runtime.type === 'kubernetes') {
    const k = kubeOpts(p, e);
    const deployments = colorDeployments(await objectsOf(e.home, k.namespace), apps, color);
    if (!deployments.length) throw new Error('the config has no application service with a Deployment: nothing to deploy as the new color');
    const { execute } = await import('../k8s/deploy.js');
    e.detail(`deploying ${color} beside ${state.active}: ${deployments.map((d) => d.metadata.name).join(', ')}`);
    const r = await execute(deployments, { namespace: k.namespace, context: k.context, timeoutSeconds: opts.timeoutSeconds ?? 300, echo: e.detail, progress: e.detail, signal: e.signal, env: e.env });
    workloads = r.rolledOut;
  }
  let docker: Pick<ColorRecord, 'project' | 'ports' | 'endpoints'> | undefined;
  let health: Probe[];
  let removed = false;
  if (p.runtime.type === 'docker') {
    const d = await import('./docker.js');
    const placed = await d.startColor(e, p, appServices(p), color);
    docker = { project: placed.project, ports: placed.ports, endpoints: d.networkEndpoints(appServices(p), color, placed.ports) };
    workloads = [placed.project];
    // started is not listening yet: probed until every service answers, or the deploy's time is up
    health = await probeColor(e, p, color, placed.ports, (opts.timeoutSeconds ?? 60) * 1000);
    if (e.signal?.aborted || !health.every((h) => h.ok)) {
      // nothing switches to it: its containers go (the platform's network and blue stay as they were)
      removed = await d.removeColor({ ...e, signal: undefined }, p, color, placed).then(
        () => true,
        (err: Error) => {
          e.detail(`could not remove ${placed.project}: ${err.message}`);
          return false;
        },
      );
    }
  } else health = await probeColor(e, p, color);
  // a probe cut short by an interrupt says nothing about the color's health: say what happened
  if (e.signal?.aborted) throw interruptedError(`interrupted while the ${color} deployment was health-checked; traffic stays on ${state.active}${docker ? (removed ? ` and ${docker.project} was removed` : `; ${docker.project} could not be removed: docker compose -p ${docker.project} down`) : ''}`);
  for (const h of health) e.detail(`${color} ${h.service}: ${h.ok ? 'healthy' : 'UNHEALTHY'}: ${h.detail}`);
  const bad = health.filter((h) => !h.ok);
  if (bad.length) throw new Error(`the ${color} deployment is not healthy, so traffic stays on ${state.active}: ${bad.map((h) => `${h.service} (${h.detail})`).join(', ')}`);
  const record: ColorRecord = { deployedAt: new Date().toISOString(), runId: opts.runId, version: p.version, services: apps, endpoints: p.runtime.type === 'kubernetes' ? {} : endpointsOf(p), workloads, ...docker };
  await writeBlueGreen(e.home, { ...state, colors: { ...state.colors, [color]: record } });
  return { color, active: state.active, record, health };
}

/** The files a switch rewrites (for the caller's saved pre-state): the state, and the traefik file when traefik routes. */
export async function switchFiles(home: string): Promise<string[]> {
  const p = await platformOf(home);
  const { statePath } = await import('./state.js');
  return p.runtime.type === 'kubernetes' ? [statePath(home)] : [statePath(home), await trafficFile(p, home)];
}

/** Kubernetes: the app Services and their selectors now (saved by the caller before switchTo changes them). */
export async function selectorsNow(e: BgEnv): Promise<Record<string, Record<string, string>> | undefined> {
  const p = await platformOf(e.home);
  if (p.runtime.type !== 'kubernetes') return undefined;
  const k = kubeOpts(p, e);
  const objects = await objectsOf(e.home, k.namespace);
  const names = appServiceNames(objects, colorDeployments(objects, appServices(p).map((s) => s.name), 'green'));
  return readSelectors(names, k);
}

/** Send the traffic to `color` (deployed and recorded); the idle color is kept until `keepUntil`. */
export async function switchTo(e: BgEnv, color: Color, opts: { keepMs?: number; selectors?: Record<string, Record<string, string>> } = {}): Promise<{ color: Color; from: Color; trafficFile?: string; services: string[] }> {
  const p = await platformOf(e.home);
  const state = await currentState(e.home, p);
  const rec = state.colors[color];
  if (!rec) throw new Error(`no ${color} deployment is recorded in ${e.home}: deploy_blue_environment deploys it before switch_traffic`);
  const from = state.active === color ? other(color) : state.active;
  let file: string | undefined;
  let services: string[];
  if (p.runtime.type === 'kubernetes') {
    const k = kubeOpts(p, e);
    const now = opts.selectors ?? (await selectorsNow(e))!;
    await setSelectors(colored(now, color), k);
    services = Object.keys(now);
    e.detail(`Service selectors → ${COLOR_LABEL}=${color}: ${services.join(', ')}`);
  } else {
    file = await trafficFile(p, e.home);
    await writeTraffic(file, color, rec.endpoints);
    services = Object.keys(rec.endpoints);
    e.detail(`${file}: traffic → ${color} (${Object.entries(rec.endpoints).map(([s, u]) => `${s} ${u}`).join(', ')})`);
  }
  const at = new Date();
  await writeBlueGreen(e.home, { ...state, active: color, switchedAt: at.toISOString(), keepUntil: new Date(at.getTime() + (opts.keepMs ?? DEFAULT_KEEP_MS)).toISOString() });
  return { color, from, trafficFile: file, services };
}

/** Kubernetes: put the saved selectors back (the switch back; the caller checked the color they select still runs). */
export async function restoreSelectors(e: BgEnv, saved: Record<string, Record<string, string>>): Promise<void> {
  const p = await platformOf(e.home);
  await setSelectors(saved, kubeOpts(p, e));
}

/** The gates monitor_metrics holds the new color to, when the plan names none (the guide's rolling-migration.yaml). */
export async function defaultConditions(): Promise<Condition[]> {
  const { parseCondition } = await import('../run/canary.js');
  return [{ errorRate: '> 5%' }, { latency: '> 500ms' }, { healthCheck: 'failing' }].map(parseCondition);
}

export interface Measurement {
  at: string;
  checks: Array<{ condition: string; value: string | null; threshold: string; breached: boolean; note?: string }>;
}

/**
 * Hold `color` for `windowMs`, measuring the gates every `intervalMs`: metrics from `metricsUrl`, else each of its
 * services' /metrics (runtime none); health as the deploy checked it (Kubernetes: its Deployments ready). Throws
 * on the first breach, with what was measured; resolves with every measurement when the window ends.
 */
export async function monitor(e: BgEnv, o: { color: Color; windowMs: number; intervalMs: number; conditions: Condition[]; noData: Plan['rollback']['noData']; metricsUrl?: string }): Promise<Measurement[]> {
  const p = await platformOf(e.home);
  const { fetchMetrics, fetchWorstMetrics, judgeConditions } = await import('../run/canary.js');
  const state = await currentState(e.home, p);
  const rec = state.colors[o.color];
  if (!rec) throw new Error(`no ${o.color} deployment is recorded: switch_traffic comes first`);
  const k = kubeOpts(p, e);
  // docker: the endpoints are on the engine's network; from here, each service where the color publishes it
  const origins = p.runtime.type === 'docker' ? Object.values(endpointsOf({ ...p, services: (await import('./docker.js')).probeSpecs(appServices(p), rec.ports ?? {}) })) : Object.values(rec.endpoints);
  const urls = o.metricsUrl ? [] : origins.map((u) => `${u}/metrics`);
  const health = async (): Promise<Array<{ what: string; ok: boolean; detail: string }>> => {
    if (p.runtime.type !== 'kubernetes') return (await probeColor(e, p, o.color, rec.ports)).map((h) => ({ what: h.service, ok: h.ok, detail: h.detail }));
    const out = [];
    for (const w of rec.workloads) {
      const r = await run('kubectl', [...(k.context ? ['--context', k.context] : []), 'get', '-n', k.namespace, `deployment/${w}`, '-o', 'json'], { ...k.ro, allowFailure: true });
      let ready = 0;
      let want = 1;
      try {
        const d = JSON.parse(r.stdout);
        ready = Number(d.status?.readyReplicas ?? 0);
        want = Number(d.spec?.replicas ?? 1);
      } catch {
        /* not found: not ready */
      }
      out.push({ what: w, ok: r.exitCode === 0 && ready >= want, detail: r.exitCode === 0 ? `${ready}/${want} ready` : 'missing' });
    }
    return out;
  };
  const measurements: Measurement[] = [];
  const until = Date.now() + o.windowMs;
  for (;;) {
    const m = o.metricsUrl ? await fetchMetrics(o.metricsUrl, e.signal) : urls.length ? await fetchWorstMetrics(urls, e.signal) : { error: 'no metrics endpoint: pass --metrics-url (Prometheus text or JSON measuring the new color)' };
    const h = o.conditions.some((c) => c.metric === 'healthCheck') ? await health() : undefined;
    const ev = judgeConditions(o.conditions, m, h, o.noData, 'no service to probe');
    const at = new Date().toISOString();
    measurements.push({ at, checks: ev.checks.map((c) => ({ condition: c.condition, value: c.value, threshold: c.threshold, breached: c.breached, ...(c.note ? { note: c.note } : {}) })) });
    e.detail(`${at} ${ev.checks.map((c) => `${c.condition}: ${c.value ?? 'no data'}${c.breached ? ' BREACHED' : ''}`).join('; ')}`);
    if (ev.breached) {
      const b = ev.checks.filter((c) => c.breached);
      throw Object.assign(new Error(`the ${o.color} deployment breached ${b.map((c) => `${c.condition} (measured ${c.value ?? c.note ?? 'no data'})`).join(', ')}: traffic goes back to ${other(o.color)}`), { measurements });
    }
    if (Date.now() >= until) return measurements;
    await sleep(Math.min(o.intervalMs, Math.max(0, until - Date.now())), e.signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Remove the idle color (the old one, after a switch): its Deployments on Kubernetes; its record. Cannot be undone:
 * after it, a rollback cannot switch back. `expiredOnly`: only once its keep window has ended.
 */
export async function retireIdle(e: BgEnv, o: { expiredOnly?: boolean; dryRun?: boolean }): Promise<{ retired: Color | null; active: Color | null; runtime?: BlueGreenState['runtime']; workloads: string[]; keepUntil: string | null; reason?: string }> {
  const p = await platformOf(e.home);
  const state = await readBlueGreen(e.home);
  if (!state) return { retired: null, active: null, workloads: [], keepUntil: null, reason: 'no blue/green deployment in this home' };
  const idle = other(state.active);
  const rec = state.colors[idle];
  if (!rec) return { retired: null, active: state.active, workloads: [], keepUntil: state.keepUntil ?? null, reason: `only ${state.active} is deployed` };
  // --expired (cron): only the color a switch left behind, once its keep window is over; never one deployed and
  // not yet switched to (a paused run's new color)
  if (o.expiredOnly && (!state.keepUntil || !state.switchedAt || Date.parse(state.keepUntil) > Date.now() || Date.parse(rec.deployedAt) > Date.parse(state.switchedAt))) {
    return { retired: null, active: state.active, workloads: rec.workloads, keepUntil: state.keepUntil ?? null, reason: state.keepUntil && Date.parse(state.keepUntil) > Date.now() ? `${idle} is kept until ${state.keepUntil}` : `${idle} was not left behind by a switch` };
  }
  if (o.dryRun) return { retired: idle, active: state.active, runtime: state.runtime, workloads: rec.workloads, keepUntil: state.keepUntil ?? null };
  if (p.runtime.type === 'kubernetes' && rec.workloads.length) await deleteDeployments(rec.workloads, kubeOpts(p, e));
  if (p.runtime.type === 'docker') await (await import('./docker.js')).removeColor(e, p, idle, rec);
  const colors = { ...state.colors };
  delete colors[idle];
  const next: BlueGreenState = { ...state, colors };
  delete next.keepUntil;
  await writeBlueGreen(e.home, next);
  return { retired: idle, active: state.active, runtime: state.runtime, workloads: rec.workloads, keepUntil: null };
}
