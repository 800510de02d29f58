// The platform home: --home DIR > MCP_HOME > ~/.mcp-platform. Every file the CLI keeps lives here.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { mkdir } from 'node:fs/promises';

export interface HomeLayout {
  root: string;
  /** platform config: platform.yaml (v4) or platform.json (v5, v6), plus history/ of imported versions */
  config: string;
  /** services' data files (the bind mounts of the installation) */
  data: string;
  /** backup archives and their manifests */
  backups: string;
  /** journals, locks, version history, the embedded database under state/pglite */
  state: string;
  /** mcp.log: JSON lines, one per event */
  logs: string;
}

export function resolveHome(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag && flag.trim() !== '') return resolve(flag);
  if (env.MCP_HOME && env.MCP_HOME.trim() !== '') return resolve(env.MCP_HOME);
  return join(homedir(), '.mcp-platform');
}

/**
 * Where the logs go: <home>/logs, or MCP_LOG_DIR (a system installation sets /var/log/mcp, so the guide's
 * `tail -f /var/log/mcp/migration.log` works as written).
 */
export function logsDir(root: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.MCP_LOG_DIR && env.MCP_LOG_DIR.trim() !== '' ? resolve(env.MCP_LOG_DIR) : join(root, 'logs');
}

export function layout(root: string): HomeLayout {
  return {
    root,
    config: join(root, 'config'),
    data: join(root, 'data'),
    backups: join(root, 'backups'),
    state: join(root, 'state'),
    logs: join(root, 'logs'),
  };
}

export async function ensureLayout(root: string): Promise<HomeLayout> {
  const l = layout(root);
  for (const dir of [l.config, l.data, l.backups, l.state, l.logs]) await mkdir(dir, { recursive: true });
  return l;
}

/** `env` for acting on another home: without what names this one (its database, its home, its logs). */
export function envForOtherHome(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const k of ['MCP_DATABASE_URL', 'MCP_HOME', 'MCP_LOG_DIR']) delete out[k];
  return out;
}
