// Docker Compose runtime: a compose file generated from the config inside the home
// (<home>/state/compose/docker-compose.yml, written atomically), driven by `docker compose -p P -f F …`.
import { basename, isAbsolute, join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { run } from './exec.js';
import { writeFileAtomic } from '../fsutil.js';
import { layout } from '../home.js';
import { failedError, preconditionError } from '../errors.js';
import { redactArgv } from '../redact.js';
import type { PlatformServices, ServiceSpec } from './services.js';
import type { ActionResult, Runtime, RuntimeEnv, ServiceState, ServiceStateName } from './types.js';

export const composeFilePath = (home: string) => join(layout(home).state, 'compose', 'docker-compose.yml');

/** A compose project name is lowercase letters, digits, dashes and underscores, starting with a letter or digit. */
export function projectName(platform: PlatformServices, home: string): string {
  const raw = platform.runtime.project ?? basename(resolve(home));
  const name = raw.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z0-9]+/, '');
  return name || 'mcp-platform';
}

/** Replace (or add) the tag of an image: `mcp-platform/filesystem:5.0` + `4.2` → `mcp-platform/filesystem:4.2`. */
export function withTag(image: string, tag: string): string {
  const at = image.indexOf('@');
  const base = at >= 0 ? image.slice(0, at) : image;
  const slash = base.lastIndexOf('/');
  const colon = base.lastIndexOf(':');
  const repo = colon > slash ? base.slice(0, colon) : base;
  return `${repo}:${tag}`;
}

/**
 * The image a service runs at platform `version`: the platform's own images — a service that is not
 * infrastructure, tagged with a release number (`mcp/auth-service:4.2`) — follow the platform version;
 * infrastructure (`redis:7-alpine`, `postgres:16`, `traefik:2.11`), other tags (`latest`, `1.3-alpine`) and
 * digests run as written. (Re-tagging every image sent `postgres:16` to `postgres:5.0`: a real engine refused it.)
 */
export function imageAt(s: Pick<ServiceSpec, 'image' | 'type'>, version?: string): string | undefined {
  if (!s.image || !version || s.type === 'infrastructure' || s.image.includes('@')) return s.image;
  const slash = s.image.lastIndexOf('/');
  const colon = s.image.lastIndexOf(':');
  const tag = colon > slash ? s.image.slice(colon + 1) : undefined;
  return tag !== undefined && /^\d+\.\d+(\.\d+)?$/.test(tag) ? withTag(s.image, version) : s.image;
}

/** The compose document for the configured services. Relative bind mounts resolve against the home. */
export function composeDocument(platform: PlatformServices, home: string, opts: { version?: string } = {}): Record<string, unknown> {
  const services: Record<string, unknown> = {};
  for (const s of platform.services) {
    const def: Record<string, unknown> = {};
    if (s.image) def.image = imageAt(s, opts.version);
    if (s.command !== undefined) def.command = s.command;
    if (s.ports.length) def.ports = [...s.ports];
    if (Object.keys(s.environment).length) def.environment = { ...s.environment };
    if (s.volumes.length) def.volumes = s.volumes.map((v) => bindAgainst(v, home));
    const deps = s.dependsOn.filter((d) => platform.services.some((x) => x.name === d));
    if (deps.length) def.depends_on = deps;
    if (s.transport === 'stdio') {
      def.stdin_open = true;
    }
    const deploy: Record<string, unknown> = {};
    if (s.replicas !== 1) deploy.replicas = s.replicas;
    const limits: Record<string, string> = {};
    if (s.maxCpu) limits.cpus = cpus(s.maxCpu);
    if (s.maxMemory) limits.memory = s.maxMemory.replace(/i$/, '');
    if (Object.keys(limits).length) deploy.resources = { limits };
    if (Object.keys(deploy).length) def.deploy = deploy;
    const hc = s.healthCheck;
    if (hc?.type === 'command' && hc.command !== undefined) {
      def.healthcheck = { test: Array.isArray(hc.command) ? ['CMD', ...hc.command] : ['CMD-SHELL', hc.command], ...(hc.timeoutMs ? { timeout: `${hc.timeoutMs}ms` } : {}) };
    }
    def.restart = 'unless-stopped';
    services[s.name] = def;
  }
  return { name: projectName(platform, home), services };
}

/** Kubernetes CPU ("1000m", "1") → compose cpus ("1.0"). */
function cpus(v: string): string {
  const m = v.match(/^(\d+)m$/);
  return m ? String(Number(m[1]) / 1000) : v;
}

function bindAgainst(volume: string, home: string): string {
  const i = volume.indexOf(':');
  if (i <= 0) return volume;
  const src = volume.slice(0, i);
  if (src.startsWith('./') || src.startsWith('../')) return `${resolve(home, src)}${volume.slice(i)}`;
  if (!isAbsolute(src) && src.includes('/')) return `${resolve(home, src)}${volume.slice(i)}`;
  return volume; // a named volume
}

interface PsEntry {
  Service?: string;
  Name?: string;
  State?: string;
  Status?: string;
  Health?: string;
  Image?: string;
}

/** `docker compose ps --format json` prints a JSON array (before 2.21) or one object per line (after). */
export function parsePs(stdout: string): PsEntry[] {
  const t = stdout.trim();
  if (!t) return [];
  if (t.startsWith('[')) return JSON.parse(t) as PsEntry[];
  return t
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as PsEntry);
}

function stateOf(entries: PsEntry[]): { state: ServiceStateName; detail?: string; health?: string; image?: string } {
  if (!entries.length) return { state: 'missing', detail: 'no container' };
  const running = entries.filter((e) => e.State === 'running');
  const any = running[0] ?? entries[0]!;
  const state: ServiceStateName = running.length ? 'running' : /restarting|created|starting/.test(any.State ?? '') ? 'starting' : 'stopped';
  return { state, detail: any.Status ?? any.State, health: any.Health || undefined, image: any.Image };
}

/** Write the compose file for the config (also used by health checks that `docker compose run` a stdio server). */
export async function writeComposeFile(platform: PlatformServices, home: string, version?: string): Promise<string> {
  const file = composeFilePath(home);
  // the application services of a color that serves from its own project are not the platform project's: listed
  // here (at that color's ports) an `up -d` in this project would start them again beside it
  const c = await servingColor(platform, home);
  const own = c ? { ...platform, services: platform.services.filter((s) => !c.services.includes(s.name)) } : platform;
  const doc = composeDocument(own, home, { version });
  const text = `# Generated by mcp from ${platform.version ? `platform config ${platform.version}` : 'the platform config'}; do not edit (regenerated on every start).\n${yaml.dump(doc, { lineWidth: -1, noRefs: true })}`;
  // 0600: the services' environment (database URLs, keys) is in it
  await writeFileAtomic(file, text, { mode: 0o600 });
  return file;
}

// Blue/green colors (src/bluegreen/docker.ts). A color after the first is a compose project of its own,
// `<project>-<color>`, holding the application services only. It joins the platform project's default network
// (external) under the color's aliases (`green-filesystem-mcp`), so it reaches the infrastructure by name and the
// platform's traefik reaches it; it publishes on 127.0.0.1 at host ports chosen when it was deployed and kept in
// the blue/green state (the configured host ports stay with the project that holds them). While such a color
// serves, the lifecycle commands act on its project for the application services.
export type Color = 'blue' | 'green';

export interface ColorPlacement {
  color: Color;
  project: string;
  services: string[];
  /** service → its published ports in the color's project (`127.0.0.1:41234:3000`) */
  ports: Record<string, string[]>;
}

export const colorProjectName = (platform: PlatformServices, home: string, color: Color) => `${projectName(platform, home)}-${color}`;
export const colorComposePath = (home: string, color: Color) => join(layout(home).state, 'compose', color, 'docker-compose.yml');
/**
 * A color's service in its project, and the name it answers to on the shared network: `green-filesystem-mcp`
 * (a DNS label). Never the service's own name: compose makes a service's name an alias on every network it
 * joins, so green under `filesystem_mcp` would take blue's traffic before any health check or switch.
 */
export const colorAlias = (color: Color, service: string) => `${color}-${service.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`;

/** The color that serves now, when it runs in a project of its own (after a blue/green switch); else undefined. */
export async function servingColor(platform: PlatformServices, home: string): Promise<ColorPlacement | undefined> {
  if (platform.runtime.type !== 'docker') return undefined;
  const { readBlueGreen } = await import('../bluegreen/state.js');
  const s = await readBlueGreen(home);
  const rec = s?.runtime === 'docker' ? s.colors[s.active] : undefined;
  if (!s || !rec?.project || rec.project === projectName(platform, home)) return undefined;
  return { color: s.active, project: rec.project, services: rec.services, ports: rec.ports ?? {} };
}

/** The compose document of a color's project: its application services on the platform project's network. */
export function colorComposeDocument(platform: PlatformServices, home: string, c: ColorPlacement, version?: string): Record<string, unknown> {
  const apps = platform.services.filter((s) => c.services.includes(s.name)).map((s) => ({ ...s, ports: c.ports[s.name] ?? [] }));
  const doc = composeDocument({ ...platform, services: apps }, home, { version }) as { services: Record<string, Record<string, unknown>> };
  const services: Record<string, Record<string, unknown>> = {};
  for (const [name, def] of Object.entries(doc.services)) {
    const key = colorAlias(c.color, name);
    if (services[key]) throw preconditionError(`services ${Object.keys(doc.services).filter((n) => colorAlias(c.color, n) === key).join(' and ')} would both be ${key} in the ${c.color} project`, { hint: 'rename one of them in the config: a blue/green color names its services <color>-<service> with dashes' });
    if (Array.isArray(def.depends_on)) def.depends_on = (def.depends_on as string[]).map((d) => colorAlias(c.color, d));
    services[key] = def;
  }
  return { name: c.project, services, networks: { default: { name: `${projectName(platform, home)}_default`, external: true } } };
}

export async function writeColorComposeFile(platform: PlatformServices, home: string, c: ColorPlacement, version?: string): Promise<string> {
  const file = colorComposePath(home, c.color);
  const doc = colorComposeDocument(platform, home, c, version);
  const text = `# Generated by mcp: the ${c.color} color of a blue/green deployment (mcp environments retire-blue removes it); do not edit.\n${yaml.dump(doc, { lineWidth: -1, noRefs: true })}`;
  await writeFileAtomic(file, text, { mode: 0o600 });
  return file;
}

/**
 * The argv that starts a one-off container of a stdio MCP server with stdin attached (its image's own command);
 * in the serving color's project when it serves it.
 */
export function composeRunArgv(platform: PlatformServices, home: string, service: string, c?: ColorPlacement): string[] {
  if (c?.services.includes(service)) return ['docker', 'compose', '-p', c.project, '-f', colorComposePath(home, c.color), 'run', '--rm', '-T', '--no-deps', colorAlias(c.color, service)];
  return ['docker', 'compose', '-p', projectName(platform, home), '-f', composeFilePath(home), 'run', '--rm', '-T', '--no-deps', service];
}

/** Seconds a graceful stop waits between SIGTERM and SIGKILL (Docker's own default). */
export const STOP_GRACE_SECONDS = 10;

const ENGINE_DOWN = /Cannot connect to the Docker daemon|Is the docker daemon running\?|error during connect|connect: no such file or directory|dial unix [^:]+: connect: connection refused/;

/**
 * The engine itself not answering (stopped, crashed, wrong DOCKER_HOST) is a precondition, not a failed command:
 * exit 3, named, with where mcp looked. Undefined for any other failure.
 */
export function engineDown(text: string, e: NodeJS.ProcessEnv): Error | undefined {
  if (!ENGINE_DOWN.test(text)) return undefined;
  const where = e.DOCKER_HOST ? `DOCKER_HOST ${e.DOCKER_HOST}` : 'the default socket (/var/run/docker.sock)';
  return preconditionError(`the container engine does not answer at ${where}`, { hint: 'start it (Docker: systemctl start docker; podman: podman system service --time=0 unix://SOCKET), or point DOCKER_HOST at the one that runs' });
}

/**
 * `docker compose -p PROJECT -f FILE ARGS…` in the home, its command line (redacted) pushed to `commands`;
 * the engine not answering is exit 3, named (engineDown).
 */
/** `docker ARGV…` in the home; an engine that does not answer is the error that says how to start it (exit 3). */
export async function dockerRun(argv: string[], o: Pick<RuntimeEnv, 'home' | 'env' | 'echo' | 'signal' | 'timeoutMs'> & { allowFailure?: boolean }) {
  let r;
  try {
    r = await run('docker', argv, { env: o.env, echo: o.echo, signal: o.signal, timeoutMs: o.timeoutMs, allowFailure: o.allowFailure, cwd: o.home });
  } catch (e) {
    throw engineDown((e as Error).message ?? '', o.env) ?? e;
  }
  if (r.exitCode !== 0) {
    const down = engineDown(r.stderr, o.env);
    if (down) throw down;
  }
  return r;
}

export async function composeIn(project: string, file: string, args: string[], o: Pick<RuntimeEnv, 'home' | 'env' | 'echo' | 'signal' | 'timeoutMs'> & { commands?: string[]; allowFailure?: boolean }) {
  const argv = ['compose', '-p', project, '-f', file, ...args];
  o.commands?.push(['docker', ...redactArgv(argv)].join(' '));
  return dockerRun(argv, o);
}

export function dockerRuntime(platform: PlatformServices, env: RuntimeEnv): Runtime {
  const file = composeFilePath(env.home);
  const project = projectName(platform, env.home);
  const commands: string[] = [];
  const compose = (args: string[], where: { project: string; file: string } = { project, file }) => composeIn(where.project, where.file, args, { ...env, commands });
  /**
   * Where each of `services` runs: the platform's own project, except the application services while a
   * blue/green color with a project of its own serves (docker-colors below); each group with how its compose
   * file is written.
   */
  const placed = async (asked: ServiceSpec[], version?: string) => {
    const c = await servingColor(platform, env.home);
    // none named is all of them: `compose up -d` of no service would start the routed ones in this project too
    const services = c && !asked.length ? platform.services : asked;
    const routed = c ? services.filter((s) => c.services.includes(s.name)) : [];
    const main = services.filter((s) => !routed.includes(s));
    const groups: Array<{ project: string; file: string; services: ServiceSpec[]; key: (s: ServiceSpec) => string; write: () => Promise<unknown> }> = [];
    if (main.length || !routed.length) groups.push({ project, file, services: main, key: (s) => s.name, write: () => writeComposeFile(platform, env.home, version) });
    if (c && routed.length) groups.push({ project: c.project, file: colorComposePath(env.home, c.color), services: routed, key: (s) => colorAlias(c.color, s.name), write: () => writeColorComposeFile(platform, env.home, c, version) });
    return groups;
  };
  const result = (action: ActionResult['action'], services: ServiceSpec[], files?: string[]): ActionResult => ({
    runtime: 'docker',
    action,
    services: services.map((s) => s.name),
    commands: commands.splice(0),
    ...(files ? { files } : {}),
  });
  const names = (services: ServiceSpec[]) => services.map((s) => s.name);

  return {
    type: 'docker',
    describe: () => `docker compose project ${project} (${file})`,
    async start(services, opts) {
      const groups = await placed(services, opts.version);
      for (const g of groups) {
        await g.write();
        await compose(['up', '-d', ...g.services.map(g.key)], g);
      }
      env.log.log('info', 'runtime.start', { runtime: 'docker', projects: groups.map((g) => g.project), services: names(services), version: opts.version });
      return result('start', services, groups.map((g) => g.file));
    },
    async stop(services, opts) {
      const groups = await placed(services);
      for (const g of groups) {
        await g.write();
        // --force: kill instead of a graceful stop; the containers stay, so `mcp start` brings them back. A graceful
        // stop names its grace period: podman's Docker API kills at once without one (exit 137, docs/runtime.md)
        await compose(opts.force ? ['kill', ...g.services.map(g.key)] : ['stop', '-t', String(STOP_GRACE_SECONDS), ...g.services.map(g.key)], g);
      }
      env.log.log('info', 'runtime.stop', { runtime: 'docker', projects: groups.map((g) => g.project), services: names(services), force: Boolean(opts.force) });
      return result('stop', services, groups.map((g) => g.file));
    },
    async reset(services) {
      const groups = await placed(services);
      for (const g of groups) {
        await g.write();
        // stopped with the grace period first: `rm --stop` and `up --force-recreate` alone kill at once on podman
        await compose(['stop', '-t', String(STOP_GRACE_SECONDS), ...g.services.map(g.key)], g);
        await compose(['rm', '--force', ...g.services.map(g.key)], g);
        await compose(['up', '-d', '--force-recreate', ...g.services.map(g.key)], g);
      }
      env.log.log('info', 'runtime.reset', { runtime: 'docker', projects: groups.map((g) => g.project), services: names(services) });
      return result('reset', services, groups.map((g) => g.file));
    },
    async status(services) {
      const out: ServiceState[] = [];
      for (const g of await placed(services)) {
        await g.write();
        const r = await compose(['ps', '--all', '--format', 'json'], g);
        let entries: PsEntry[];
        try {
          entries = parsePs(r.stdout);
        } catch (e) {
          throw failedError(`could not read the output of docker compose ps: ${(e as Error).message}`, { hint: 'docker compose v2.x is needed (docker compose version)' });
        }
        for (const s of g.services) out.push({ name: s.name, ...stateOf(entries.filter((e) => e.Service === g.key(s))) });
      }
      commands.splice(0);
      const at = new Map(out.map((x) => [x.name, x]));
      return services.map((s) => at.get(s.name)!);
    },
  };
}
