// The real container engine set up by test/engine/setup.mjs (npm run test:engine): its environment, its event
// log, and the containers of a compose project as the engine reports them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { execa } from 'execa';

const DIR = process.env.MCP_ENGINE_DIR ?? join(homedir(), '.cache', 'mcp-engine');

/** DOCKER_HOST, DOCKER_CONFIG, CONTAINERS_CONF of the engine; throws (never skips) when it was not set up. */
export function engineEnv(): Record<string, string> {
  const f = join(DIR, 'env.json');
  if (!existsSync(f)) throw new Error(`no container engine set up (${f} is missing): run npm run test:engine, which runs test/engine/setup.mjs first`);
  return JSON.parse(readFileSync(f, 'utf8')) as Record<string, string>;
}

export interface EngineEvent {
  time: string;
  status: string;
  name: string;
}

/** What the engine's own event log recorded for containers whose name starts with `prefix`, since `since`. */
export async function engineEvents(since: Date, prefix: string): Promise<EngineEvent[]> {
  const env = { ...process.env, ...engineEnv() };
  const r = await execa('podman', ['events', '--stream=false', '--since', since.toISOString(), '--filter', 'type=container', '--format', '{{.Time}}\t{{.Status}}\t{{.Name}}'], { env, reject: false, timeout: 30_000 });
  if (r.exitCode !== 0) throw new Error(`podman events failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [time, status, name] = l.split('\t') as [string, string, string];
      return { time, status, name };
    })
    .filter((e) => e.name.startsWith(prefix));
}

export interface Container {
  Names: string;
  State: string;
  Status: string;
  Image: string;
  Labels?: string | Record<string, string>;
}

/** `docker ps -a` of one compose project, through the Docker API (one JSON object per line). */
export async function containers(project: string): Promise<Container[]> {
  const env = { ...process.env, ...engineEnv() };
  const r = await execa('docker', ['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', 'json'], { env, timeout: 30_000 });
  return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Container);
}

/** Remove a compose project's containers and networks, whatever state a test left them in. */
export async function removeProject(project: string): Promise<void> {
  const env = { ...process.env, ...engineEnv() };
  const ids = (await execa('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`], { env, reject: false })).stdout.split('\n').filter(Boolean);
  if (ids.length) await execa('docker', ['rm', '-f', ...ids], { env, reject: false });
  await execa('docker', ['network', 'rm', `${project}_default`], { env, reject: false });
}
