// Health checks per service: HTTP GET, TCP connect, a command, and for MCP servers the protocol itself
// (initialize + tools/list over Streamable HTTP or stdio, with the official SDK, loaded lazily).
import { connect } from 'node:net';
import { run, which } from '../runtime/exec.js';
import { isMcpError } from '../errors.js';
import { containerSideOf, portParts, publishedPort, type HealthCheckSpec, type ServiceSpec } from '../runtime/services.js';
import { withTimeout } from '../timeout.js';

export const DEFAULT_TIMEOUT_MS = 5000;

export interface CheckResult {
  name: string;
  check: HealthCheckSpec['type'] | 'none';
  /** what was checked: a URL, host:port, a command line */
  target?: string;
  healthy: boolean;
  /** true when the service has nothing to check (no healthCheck, no port): reported, not a failure */
  skipped?: boolean;
  /**
   * false when the probe got no answer at all (connection refused, timed out, no route, no name): the
   * service is not reachable from here. src/health/rule.ts decides what that means per runtime.
   */
  reached?: boolean;
  ms: number;
  detail: string;
  /** MCP checks: the server's identity and tools */
  server?: { name?: string; version?: string; protocolVersion?: string };
  tools?: string[];
}

export interface CheckOptions {
  /**
   * Where services are reached when their healthCheck names no url/host/port: docker publishes ports on
   * this host (127.0.0.1:<published port>); on kubernetes the Service is <name>.<namespace>.svc on the
   * container port (mcp running inside the cluster), unless the healthCheck says otherwise.
   */
  reach?: { kind: 'local' } | { kind: 'kubernetes'; namespace: string };
  /** how to launch a stdio MCP server that names no command (docker: `docker compose run --rm -T NAME`) */
  stdioLauncher?: (s: ServiceSpec) => string[] | undefined;
  /** overrides every service's healthCheck.timeout */
  timeoutMs?: number;
  env: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
}

/** The check a service gets: its healthCheck, else MCP for mcp servers, else TCP on its published port. */
export function effectiveCheck(s: ServiceSpec): HealthCheckSpec | undefined {
  if (s.healthCheck) return s.healthCheck;
  if (s.type === 'mcp') return { type: 'mcp' };
  if (publishedPort(s) !== undefined) return { type: 'tcp' };
  return undefined;
}

/** "3001:3000" → 3000: the port inside the container (what a Kubernetes Service exposes). */
export function containerPort(s: ServiceSpec): number | undefined {
  const p = s.ports[0];
  if (!p) return undefined;
  const n = containerSideOf(p);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * healthCheck.port is the port the service listens on inside its container (as in a compose or a
 * Kubernetes health check). From this host it is reached on the port that publishes it: "3001:3000"
 * with healthCheck.port 3000 is probed at 127.0.0.1:3001. A port that is not published is probed as
 * is (a service on the host network, or an external one that listens there).
 */
export function hostPortFor(s: ServiceSpec, containerSide: number): number {
  for (const p of s.ports) {
    const parts = portParts(p);
    if (parts.length < 2) continue;
    if (Number(parts[parts.length - 1]) === containerSide) {
      const host = Number(parts[parts.length - 2]);
      if (Number.isInteger(host) && host > 0) return host;
    }
  }
  return containerSide;
}

function endpoint(s: ServiceSpec, hc: HealthCheckSpec, reach: CheckOptions['reach']): { host: string; port: number } {
  const k8s = reach?.kind === 'kubernetes' ? reach : undefined;
  const port = k8s ? (hc.port ?? containerPort(s)) : hc.port !== undefined && hc.host === undefined ? hostPortFor(s, hc.port) : (hc.port ?? publishedPort(s));
  if (port === undefined) throw new CheckConfigError(`no port to reach ${s.name} on: set healthCheck.url or healthCheck.port, or publish a port`, true);
  return { host: hc.host ?? (k8s ? `${s.name}.${k8s.namespace}.svc` : '127.0.0.1'), port };
}

function urlOf(s: ServiceSpec, hc: HealthCheckSpec, defaultPath: string, reach: CheckOptions['reach']): string {
  if (hc.url) return hc.url;
  const { host, port } = endpoint(s, hc, reach);
  const path = hc.path ?? defaultPath;
  return `http://${host}:${port}${path.startsWith('/') ? path : `/${path}`}`;
}

class CheckConfigError extends Error {
  constructor(
    message: string,
    /** the config gives no port to probe */
    readonly noPort = false,
  ) {
    super(message);
  }
}

/** Errors that mean no answer came back: nothing listens, or nothing can be reached, from here. */
const NO_ANSWER = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

function answered(err: Error): boolean {
  if (err instanceof CheckConfigError) return !err.noPort;
  if (err.name === 'TimeoutError' || /timed? ?out/i.test(err.message)) return false;
  const codes = [(err as { code?: string }).code, (err as { cause?: { code?: string } }).cause?.code];
  if (codes.some((c) => c !== undefined && NO_ANSWER.has(c))) return false;
  return !/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|fetch failed/.test(err.message);
}

const argvOf = (c: string[] | string): string[] => (Array.isArray(c) ? c : ['sh', '-c', c]);

export async function checkService(s: ServiceSpec, opts: CheckOptions): Promise<CheckResult> {
  const hc = effectiveCheck(s);
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  if (!hc) return { name: s.name, check: 'none', healthy: true, skipped: true, ms: 0, detail: 'no health check configured and no published port' };
  // an MCP server's implicit check needs somewhere to reach it; without a port it has nothing to check
  if (!s.healthCheck && s.transport !== 'stdio' && publishedPort(s) === undefined) {
    return { name: s.name, check: 'none', healthy: true, skipped: true, ms: 0, detail: 'no health check configured and no published port' };
  }
  const timeoutMs = opts.timeoutMs ?? hc.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let target: string | undefined;
  try {
    switch (hc.type) {
      case 'http': {
        target = urlOf(s, hc, '/health', opts.reach);
        const detail = await httpCheck(target, timeoutMs, opts.signal);
        return { name: s.name, check: 'http', target, healthy: true, ms: ms(), detail };
      }
      case 'tcp': {
        const { host, port } = endpoint(s, hc, opts.reach);
        target = `${host}:${port}`;
        await tcpCheck(host, port, timeoutMs);
        return { name: s.name, check: 'tcp', target, healthy: true, ms: ms(), detail: 'port open' };
      }
      case 'command': {
        if (hc.command === undefined) throw new CheckConfigError('healthCheck.command is missing');
        const argv = argvOf(hc.command);
        target = argv.join(' ');
        const r = await run(argv[0]!, argv.slice(1), { env: opts.env, cwd: opts.cwd, timeoutMs, allowFailure: true, signal: opts.signal });
        const out = (r.stdout.trim() || r.stderr.trim()).split('\n').pop() ?? '';
        return { name: s.name, check: 'command', target, healthy: r.exitCode === 0, ms: ms(), detail: `exit ${r.exitCode}${out ? `: ${out.slice(0, 200)}` : ''}` };
      }
      case 'mcp': {
        const stdio = s.transport === 'stdio';
        let probe: McpProbe;
        if (stdio) {
          const cmd = hc.command ?? s.command;
          const argv = cmd !== undefined ? argvOf(cmd) : opts.stdioLauncher?.(s);
          if (!argv) throw new CheckConfigError('a stdio MCP server needs healthCheck.command (the command that launches it)');
          target = `stdio: ${argv.join(' ')}`;
          // the SDK spawns the server itself: say which tool is missing the way exec.ts would
          if (!argv[0]!.includes('/') && !(await which(argv[0]!, opts.env))) {
            return { name: s.name, check: 'mcp', target, healthy: false, ms: ms(), detail: `${argv[0]} not found on PATH` };
          }
          probe = await mcpProbe({ kind: 'stdio', argv, env: opts.env, cwd: opts.cwd }, timeoutMs);
        } else {
          target = urlOf(s, hc, '/mcp', opts.reach);
          probe = await mcpProbe({ kind: 'http', url: target }, timeoutMs);
        }
        return {
          name: s.name,
          check: 'mcp',
          target,
          healthy: true,
          ms: ms(),
          detail: `MCP ${probe.protocolVersion ?? ''} ${probe.server.name ?? '?'} ${probe.server.version ?? ''}: ${probe.tools.length} tool${probe.tools.length === 1 ? '' : 's'}`.replace(/\s+/g, ' '),
          server: { ...probe.server, protocolVersion: probe.protocolVersion },
          tools: probe.tools,
        };
      }
    }
  } catch (e) {
    const err = e as Error;
    if (isMcpError(e) && e.kind === 'precondition' && e.code === 'precondition') {
      // a missing tool for a command check: unhealthy, with the install hint as the detail
      return { name: s.name, check: hc.type, target, healthy: false, ms: ms(), detail: `${e.message}${e.hint ? ` (${e.hint})` : ''}` };
    }
    return { name: s.name, check: hc.type, target, healthy: false, reached: answered(err), ms: ms(), detail: describeError(err, timeoutMs) };
  }
}

function describeError(err: Error, timeoutMs: number): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (err.name === 'TimeoutError' || /timed? ?out/i.test(err.message)) return `timed out after ${timeoutMs} ms`;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  return err.message.split('\n')[0]!.slice(0, 300);
}

export async function httpCheck(url: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  const res = await withTimeout(
    timeoutMs,
    async (sig) => {
      const r = await fetch(url, { method: 'GET', signal: sig, redirect: 'follow' });
      await r.body?.cancel().catch(() => undefined);
      return r;
    },
    signal,
  );
  if (res.status < 200 || res.status >= 400) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
  return `HTTP ${res.status}`;
}

export function tcpCheck(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.end();
      resolve();
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(`${e.code ?? 'error'}: ${e.message}`));
    });
  });
}

export interface McpProbe {
  server: { name?: string; version?: string };
  protocolVersion?: string;
  tools: string[];
}

export type McpTarget = { kind: 'http'; url: string } | { kind: 'stdio'; argv: string[]; env: NodeJS.ProcessEnv; cwd?: string };

/** initialize + tools/list (every page), then close. The SDK is imported here, never on the start-up path. */
export async function mcpProbe(target: McpTarget, timeoutMs: number): Promise<McpProbe> {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const client = new Client({ name: 'mcp-cli-health', version: '1.0.0' });
  let transport;
  if (target.kind === 'http') {
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    transport = new StreamableHTTPClientTransport(new URL(target.url));
  } else {
    const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(target.env)) if (v !== undefined) env[k] = v;
    transport = new StdioClientTransport({ command: target.argv[0]!, args: target.argv.slice(1), env, cwd: target.cwd, stderr: 'pipe' });
  }
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1, deadline - Date.now());
  let timer: NodeJS.Timeout | undefined;
  const overall = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`timed out after ${timeoutMs} ms`), { name: 'TimeoutError' })), timeoutMs);
  });
  try {
    const work = (async () => {
      await client.connect(transport, { timeout: left() });
      const tools: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 100; page++) {
        const r = await client.listTools(cursor ? { cursor } : {}, { timeout: left() });
        tools.push(...r.tools.map((t) => t.name));
        cursor = r.nextCursor;
        if (!cursor) break;
      }
      const info = client.getServerVersion();
      return { server: { name: info?.name, version: info?.version }, protocolVersion: (transport as { protocolVersion?: string }).protocolVersion, tools };
    })();
    return await Promise.race([work, overall]);
  } finally {
    clearTimeout(timer);
    // The SDK's close() waits up to 2 s for a stdio server to exit on its own after stdin closes;
    // the probe is done, so end the server we started (by its pid) right away.
    const pid = target.kind === 'stdio' ? (transport as { pid?: number | null }).pid : undefined;
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    await client.close().catch(() => undefined);
  }
}
