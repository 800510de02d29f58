// Blue/green on the docker runtime, for src/bluegreen/ops.ts. The installation blue/green starts from is blue,
// in the platform's own compose project; a new color is a project of its own, `<project>-<color>`, of the
// application services only, on the platform project's network (src/runtime/docker.ts, "Blue/green colors").
// Traffic goes to it through the platform's traefik (the file provider's mcp-traffic.yml, src/bluegreen/traffic.ts)
// at the color's aliases on that network; from this host it is probed on 127.0.0.1 at the ports it publishes.
import { createServer } from 'node:net';
import { containerSideOf, type PlatformServices, type ServiceSpec } from '../runtime/services.js';
import {
  colorAlias,
  colorComposePath,
  colorProjectName,
  composeIn,
  dockerRun,
  projectName,
  STOP_GRACE_SECONDS,
  writeColorComposeFile,
  type Color,
  type ColorPlacement,
} from '../runtime/docker.js';
import type { ColorRecord } from './state.js';

interface Env {
  home: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  detail(msg: string): void;
}

/** A port nobody listens on at 127.0.0.1 now (the engine publishes the color there). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** "127.0.0.1:3001:3000/tcp" → 3000: the container side of a published port (NaN for a range). */
const protocolOf = (port: string): string => port.match(/\/(tcp|udp)$/)?.[0] ?? '';

/** Where traefik, on the platform's network, reaches each service of a color: `http://<alias>:<container port>`. */
export function networkEndpoints(services: ServiceSpec[], color: Color | undefined, ports: Record<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of services) {
    if (s.transport === 'stdio') continue;
    const first = (ports[s.name] ?? s.ports)[0];
    const port = s.healthCheck?.port ?? (first !== undefined ? containerSideOf(first) : undefined);
    if (port === undefined || !Number.isInteger(port)) continue;
    out[s.name] = `http://${color ? colorAlias(color, s.name) : s.name}:${port}`;
  }
  return out;
}

/** The record of the installation blue/green starts from: the platform's own project at its configured ports. */
export function platformRecord(p: PlatformServices, home: string, apps: ServiceSpec[]): Pick<ColorRecord, 'project' | 'ports' | 'endpoints'> {
  const ports = Object.fromEntries(apps.map((s) => [s.name, [...s.ports]]));
  return { project: projectName(p, home), ports, endpoints: networkEndpoints(apps, undefined, ports) };
}

/**
 * The services of a color as they are reached from this host: at their ports in the color's project. A health
 * check that names an address (`url`, `host`) names the configured one, blue's: it is probed at the color's port
 * with its path. stdio servers have no network endpoint and are not probed (traffic does not go to them).
 */
export function probeSpecs(apps: ServiceSpec[], ports: Record<string, string[]>): ServiceSpec[] {
  return apps
    .filter((s) => s.transport !== 'stdio')
    .map((s) => {
      const own = ports[s.name] ?? s.ports;
      const hc = s.healthCheck;
      if (!hc || (hc.url === undefined && hc.host === undefined)) return { ...s, ports: own };
      const first = own[0];
      const port = hc.url !== undefined || hc.port === undefined ? (first !== undefined ? containerSideOf(first) : undefined) : hc.port;
      let path = hc.path;
      if (hc.url !== undefined) {
        try {
          path = new URL(hc.url).pathname;
        } catch {
          /* an unparsable url: probed at the default path */
        }
      }
      return { ...s, ports: own, healthCheck: { ...hc, url: undefined, host: undefined, port, path } };
    });
}

/**
 * Start `color` as its own project: each application service published on 127.0.0.1 at a free port per configured
 * port (the container side unchanged). Resolves with its placement; the caller health-checks it.
 */
export async function startColor(e: Env, p: PlatformServices, apps: ServiceSpec[], color: Color): Promise<ColorPlacement> {
  const ports: Record<string, string[]> = {};
  for (const s of apps) {
    const range = s.ports.find((x) => !Number.isInteger(containerSideOf(x)));
    if (range) throw new Error(`${s.name} publishes ${range}: a blue/green color publishes each port on its own host port, so port ranges are not supported; list the ports one by one`);
    ports[s.name] = await Promise.all(s.ports.map(async (x) => `127.0.0.1:${await freePort()}:${containerSideOf(x)}${protocolOf(x)}`));
  }
  const c: ColorPlacement = { color, project: colorProjectName(p, e.home, color), services: apps.map((s) => s.name), ports };
  // the images as the config writes them, as `mcp start` runs them
  const file = await writeColorComposeFile(p, e.home, c);
  e.detail(`deploying ${color} as compose project ${c.project} (${file}) on the network of ${projectName(p, e.home)}`);
  try {
    await composeIn(c.project, file, ['up', '-d'], { home: e.home, env: e.env, echo: e.detail, signal: e.signal, timeoutMs: 300_000 });
  } catch (err) {
    // what `up` started before it failed (a pull, a port taken, the network missing, interrupted) goes with it
    await removeColor({ ...e, signal: undefined }, p, color, c).catch((x: Error) => e.detail(`could not remove ${c.project}: ${x.message}`));
    throw err;
  }
  return c;
}

/**
 * Remove a color's containers: a project of its own goes down whole (its network is the platform's, so it stays);
 * the platform's own project (blue as it was installed) loses its application services only.
 */
export async function removeColor(e: Env, p: PlatformServices, color: Color, rec: Pick<ColorRecord, 'project' | 'services' | 'ports'> | undefined): Promise<string> {
  const project = rec?.project ?? colorProjectName(p, e.home, color);
  const o = { home: e.home, env: e.env, echo: e.detail, signal: e.signal, timeoutMs: 120_000 };
  if (project === projectName(p, e.home)) {
    // by the labels compose gave them: the platform's compose file no longer lists them once another color serves
    const ids: string[] = [];
    for (const name of rec?.services ?? []) {
      const r = await dockerRun(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${name}`], o);
      ids.push(...r.stdout.split('\n').filter(Boolean));
    }
    if (!ids.length) return project;
    await dockerRun(['stop', '-t', String(STOP_GRACE_SECONDS), ...ids], o);
    await dockerRun(['rm', '--force', ...ids], o);
    return project;
  }
  if (project !== colorProjectName(p, e.home, color)) throw new Error(`the ${color} color names compose project ${project}, not ${colorProjectName(p, e.home, color)}: remove it by hand (docker compose -p ${project} down)`);
  const c: ColorPlacement = { color, project, services: rec?.services ?? p.services.filter((s) => s.type !== 'infrastructure').map((s) => s.name), ports: rec?.ports ?? {} };
  await writeColorComposeFile(p, e.home, c);
  await composeIn(project, colorComposePath(e.home, color), ['down', '-t', String(STOP_GRACE_SECONDS), '--remove-orphans'], o);
  return project;
}
