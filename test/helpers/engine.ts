// The real container engine set up by test/engine/setup.mjs (npm run test:engine): its environment, its event
// log, the containers of a compose project as the engine reports them, and a home on the docker runtime.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { execa } from 'execa';
import { mcp, tempDir } from './cli.js';

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

export const SERVER = 'localhost/mcp-test/mcp-server';
export const INFRA = 'localhost/mcp-test/infra:1';
/** The compose projects the tests made, for their afterAll to remove (removeProject). */
export const projects: string[] = [];

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/**
 * A v4.2 home on the docker runtime: redis (the infrastructure stand-in) and two MCP servers, on free ports;
 * `extra`: more service entries (YAML list items) appended to its services.
 */
export async function dockerHome(tag = '4.2', extra = '') {
  const home = tempDir('mcp-engine-');
  const project = basename(home).toLowerCase().replace(/[^a-z0-9_-]/g, '');
  projects.push(project);
  const init = await mcp(['init', '--version', '4.2'], { home });
  if (init.exitCode !== 0) throw new Error(`mcp init failed: ${init.stderr}`);
  const [redis, fs, git] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(
    join(home, 'config', 'platform.yaml'),
    `version: '4.2'
environment: development
platform:
  name: engine-test
api:
  host: localhost
  port: 8080
  base_path: /api/
security:
  tls:
    enabled: false
auth:
  type: bearer
  tokens: []
database:
  type: pglite
  table: mcp_data
runtime:
  type: docker
services:
  - name: redis
    type: infrastructure
    image: ${INFRA}
    environment:
      PORT: '6379'
    ports:
      - '127.0.0.1:${redis}:6379'
    health_check:
      type: tcp
      port: 6379
  - name: filesystem_mcp
    type: mcp
    image: ${SERVER}:${tag}
    ports:
      - '127.0.0.1:${fs}:3000'
    depends_on:
      - redis
    health_check:
      type: mcp
      path: /mcp
      port: 3000
  - name: git_mcp
    type: mcp
    image: ${SERVER}:${tag}
    ports:
      - '127.0.0.1:${git}:3000'
    health_check:
      type: mcp
      path: /mcp
      port: 3000
${extra}`,
    { mode: 0o600 },
  );
  return { home, project, env: engineEnv(), ports: { redis, fs, git } };
}
