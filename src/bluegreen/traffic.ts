// Where traffic goes, for the runtimes whose traffic traefik routes (docker, none): the traefik dynamic
// configuration of the file provider the platform's traefik reads. mcp owns one file there, mcp-traffic.yml,
// and rewrites it atomically (temp file + rename: traefik's watcher never sees half a file) to switch colors.
//
// The file is found from the config, as traefik itself would find it: the traefik service's volume that mounts
// its static configuration (`./traefik:/etc/traefik`), that static configuration's providers.file.directory,
// mapped back to this host. Nothing is guessed: without it, switch_traffic says what to add.
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, posix, resolve } from 'node:path';
import * as Y from 'yaml';
import type { PlatformServices, ServiceSpec } from '../runtime/services.js';
import { publishedPort } from '../runtime/services.js';
import { hostPortFor } from '../health/checks.js';
import { writeFileAtomic } from '../fsutil.js';

export const TRAFFIC_FILE = 'mcp-traffic.yml';

/** The application services: what a color is. Infrastructure (traefik, redis, postgres) serves both colors. */
export const appServices = (p: PlatformServices): ServiceSpec[] => p.services.filter((s) => s.type !== 'infrastructure');

/**
 * Where a service is reached from here (runtime none: an external endpoint; docker: its published port): the
 * origin of its health check URL, else host:port of its health check or published port. Undefined when it has
 * no network endpoint (a stdio MCP server): traffic does not go to it.
 */
export function endpointOf(s: ServiceSpec): string | undefined {
  const hc = s.healthCheck;
  if (hc?.url) {
    try {
      return new URL(hc.url).origin;
    } catch {
      return undefined;
    }
  }
  const port = hc?.port !== undefined && hc.host === undefined ? hostPortFor(s, hc.port) : (hc?.port ?? publishedPort(s));
  if (port === undefined) return undefined;
  return `http://${hc?.host ?? '127.0.0.1'}:${port}`;
}

export function endpointsOf(p: PlatformServices): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of appServices(p)) {
    const e = endpointOf(s);
    if (e) out[s.name] = e;
  }
  return out;
}

/** `./traefik:/etc/traefik:ro` → host and container sides (named volumes have no host side here). */
function mountOf(v: string, baseDir: string): { host: string; container: string } | undefined {
  const parts = v.split(':');
  if (parts.length < 2) return undefined;
  const [host, container] = parts as [string, string];
  if (!(host.startsWith('.') || isAbsolute(host))) return undefined;
  return { host: resolve(baseDir, host), container: posix.normalize(container) };
}

export class TrafficFileError extends Error {}

/**
 * The host path of mcp-traffic.yml in the directory the platform's traefik watches. `baseDir` is what relative
 * volume paths are relative to (the home).
 */
export async function trafficFile(p: PlatformServices, baseDir: string): Promise<string> {
  const traefik = p.services.find((s) => s.name === 'traefik' || /(^|\/)traefik(:|$)/.test(s.image ?? ''));
  const what = 'switch_traffic rewrites the traefik dynamic configuration the platform\'s traefik reads (file provider)';
  if (!traefik) throw new TrafficFileError(`${what}, and the config has no traefik service: add one whose volume mounts its static configuration (e.g. ./traefik:/etc/traefik) with providers.file.directory`);
  for (const v of traefik.volumes) {
    const m = mountOf(v, baseDir);
    if (!m) continue;
    for (const name of ['traefik.yml', 'traefik.yaml']) {
      const file = join(m.host, name);
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      let doc: any;
      try {
        doc = Y.parse(text);
      } catch (e) {
        throw new TrafficFileError(`${file} is not YAML (${(e as Error).message.split('\n')[0]}): fix it, traefik cannot read it either`);
      }
      const fp = doc?.providers?.file;
      const dir = typeof fp?.directory === 'string' ? posix.normalize(fp.directory) : undefined;
      if (!dir) {
        throw new TrafficFileError(`${file}: providers.file.${fp?.filename ? 'filename names one file' : 'directory is not set'}; ${what}: set providers.file.directory (with watch: true) so mcp can add ${TRAFFIC_FILE} beside your own files`);
      }
      // the directory inside the container, on this host through the traefik service's mounts
      for (const v2 of traefik.volumes) {
        const m2 = mountOf(v2, baseDir);
        if (m2 && (dir === m2.container || dir.startsWith(m2.container + '/'))) return join(m2.host, dir.slice(m2.container.length), TRAFFIC_FILE);
      }
      throw new TrafficFileError(`${file}: providers.file.directory ${dir} is not on a volume of the traefik service: mount it from this host so mcp can write ${TRAFFIC_FILE} there`);
    }
  }
  throw new TrafficFileError(`${what}: no volume of the traefik service holds traefik.yml: mount its static configuration from this host (e.g. ./traefik:/etc/traefik)`);
}

/** The dynamic configuration that sends each service's traffic to `endpoints` (one color's). */
export function renderTraffic(color: string, endpoints: Record<string, string>): string {
  const services: Record<string, unknown> = {};
  const routers: Record<string, unknown> = {};
  const middlewares: Record<string, unknown> = {};
  for (const [name, url] of Object.entries(endpoints).sort(([a], [b]) => a.localeCompare(b))) {
    const id = `mcp-${name}`;
    services[id] = { loadBalancer: { servers: [{ url }] } };
    middlewares[`${id}-strip`] = { stripPrefix: { prefixes: [`/${name}`] } };
    routers[id] = { rule: `PathPrefix(\`/${name}/\`)`, service: id, middlewares: [`${id}-strip`] };
  }
  const head = `# Written by mcp (blue/green): traffic goes to the ${color} deployment. Rewritten by switch_traffic; do not edit.\n# mcp-color: ${color}\n`;
  return head + Y.stringify({ http: { routers, middlewares, services } }, { lineWidth: 0 });
}

/** The color a traffic file routes to, from its marker line (undefined: not ours, or absent). */
export function colorOfTraffic(text: string | undefined): string | undefined {
  return text?.match(/^# mcp-color: (\w+)$/m)?.[1];
}

export async function writeTraffic(file: string, color: string, endpoints: Record<string, string>): Promise<void> {
  // traefik (often another user, in a container) reads it; it holds no secret (URLs of services, no credentials)
  await writeFileAtomic(file, renderTraffic(color, endpoints), { mode: 0o644 });
}
