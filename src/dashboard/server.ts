// The dashboard's HTTP server (node:http, nothing else): the page, the status document, a live
// stream of it (server-sent events) and the control endpoints. Security model: docs/dashboard.md.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { latestRun, listRuns, replay, runDir, runsDir } from '../run/journal.js';
import { liveLock } from '../run/home-lock.js';
import { currentVersion } from '../version-history.js';
import { redact } from '../redact.js';
import { authorized } from './token.js';
import { ACTIONS, isAction, perform } from './actions.js';
import { guideStatus } from './status.js';

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface DashboardOptions {
  home: string;
  token: string;
  host: string;
  port: number;
  /** environment for the processes a control request starts */
  env: NodeJS.ProcessEnv;
  /** one line per request worth noting (mcp.log) */
  log?: (event: string, fields: Record<string, unknown>) => void;
  pollMs?: number;
  heartbeatMs?: number;
}

export interface Dashboard {
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

const ASSETS: Record<string, string> = { '/': 'index.html', '/index.html': 'index.html', '/app.js': 'app.js', '/app.css': 'app.css' };
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

function loadAssets(): Map<string, { body: Buffer; type: string }> {
  const dir = fileURLToPath(new URL('./assets/', import.meta.url));
  const out = new Map<string, { body: Buffer; type: string }>();
  for (const [route, file] of Object.entries(ASSETS)) out.set(route, { body: readFileSync(join(dir, file)), type: TYPES[file.split('.').pop()!]! });
  return out;
}

// a loopback address or name; `127.evil.example` is a DNS name, not an address, and never counts
const isLoopback = (h: string) => h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
const isWildcard = (h: string) => h === '0.0.0.0' || h === '::';

/** Host header check against DNS rebinding: only names this server is reachable as. */
export function hostAllowed(header: string | undefined, boundHost: string, port: number): boolean {
  if (!header) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(header.trim().toLowerCase());
  if (!m) return false;
  const name = m[1]!.replace(/^\[|\]$/g, '');
  if (Number(m[2] ?? 80) !== port) return false;
  if (name === boundHost.toLowerCase()) return true;
  if (isLoopback(boundHost) || isWildcard(boundHost)) {
    if (isLoopback(name)) return true;
  }
  // bound to every interface: reachable by any address, but never through a DNS name
  return isWildcard(boundHost) && isIP(name) !== 0;
}

function send(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 2) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

/** Which run the dashboard shows: ?run=ID, else the one the live executor holds, else the newest. */
function pickRun(home: string, requested: string | null): string | undefined {
  if (requested) return listRuns(home).includes(requested) ? requested : undefined;
  const lock = liveLock(home);
  if (lock && existsSync(join(runDir(home, lock.runId), 'plan.json'))) return lock.runId;
  return latestRun(home);
}

function stamp(path: string): string {
  try {
    const st = statSync(path);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return '-';
  }
}

/**
 * The status document of a run, replayed again only when something it is made of changed: the run's
 * journal, the config (the current version), or the executor (a run whose process died is interrupted).
 * Every browser polls or streams it; a 300-step journal replay per request is the cost this saves.
 */
const statusCache = new Map<string, { key: string; doc: ReturnType<typeof guideStatus> }>();
async function statusFor(home: string, runId: string): Promise<{ key: string; doc: ReturnType<typeof guideStatus> }> {
  const cfg = join(home, 'config');
  const lock = liveLock(home);
  const key = [runId, stamp(join(runDir(home, runId), 'journal.ndjson')), stamp(join(cfg, 'platform.json')), stamp(join(cfg, 'platform.yaml')), lock ? `${lock.pid}:${lock.runId}` : '-'].join('|');
  const hit = statusCache.get(`${home}|${runId}`);
  if (hit && hit.key === key) return hit;
  const entry = { key, doc: guideStatus(replay(home, runId), { currentVersion: await currentVersion(home).catch(() => undefined) }) };
  statusCache.set(`${home}|${runId}`, entry);
  return entry;
}

const NO_RUN = (_home: string, requested: string | null) => ({
  error: requested ? `no run ${requested} in this home` : 'no migration in this home yet',
  hint: requested ? 'runs are listed under state/runs; omit ?run= for the newest' : 'start one, e.g. mcp upgrade --to 6.0 (the dashboard picks it up)',
});

/** Server-sent events: the status document each time it changes (fs.watch on the runs, a poll as backstop). */
async function streamEvents(o: DashboardOptions, req: IncomingMessage, res: ServerResponse, requested: string | null, streams: Set<() => void>, pollMs: number, heartbeatMs: number): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  res.write(': mcp dashboard stream\n\n');
  let last = '';
  let fingerprint = '';
  let runWatcher: FSWatcher | undefined;
  let watchedRun: string | undefined;
  let busy = false;
  let again = false;
  const watchers: FSWatcher[] = [];
  const tryWatch = (dir: string): FSWatcher | undefined => {
    try {
      const w = watch(dir, { persistent: false }, () => void refresh());
      w.on('error', () => undefined);
      return w;
    } catch {
      return undefined;
    }
  };
  const refresh = async (): Promise<void> => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      const runId = pickRun(o.home, requested);
      if (runId !== watchedRun) {
        runWatcher?.close();
        runWatcher = runId ? tryWatch(runDir(o.home, runId)) : undefined;
        watchedRun = runId;
      }
      // the status document's own key (journal, config, executor): nothing new to send while it holds
      const cur = runId ? await statusFor(o.home, runId) : undefined;
      const fp = cur?.key ?? 'none';
      if (fp === fingerprint) return;
      fingerprint = fp;
      const doc = cur ? { type: 'status', status: cur.doc } : { type: 'none', ...NO_RUN(o.home, requested) };
      const text = JSON.stringify(doc);
      if (text !== last) {
        last = text;
        res.write(`event: ${doc.type}\ndata: ${text}\n\n`);
      }
    } catch (e) {
      res.write(`event: error\ndata: ${JSON.stringify(redact({ error: (e as Error).message }))}\n\n`);
    } finally {
      busy = false;
      if (again) {
        again = false;
        void refresh();
      }
    }
  };
  const runsWatcher = tryWatch(runsDir(o.home)) ?? (existsSync(o.home) ? tryWatch(o.home) : undefined);
  if (runsWatcher) watchers.push(runsWatcher);
  const poll = setInterval(() => void refresh(), pollMs);
  const beat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
  const cleanup = () => {
    clearInterval(poll);
    clearInterval(beat);
    runWatcher?.close();
    for (const w of watchers) w.close();
    streams.delete(end);
  };
  const end = () => {
    cleanup();
    res.end();
  };
  streams.add(end);
  req.on('close', cleanup);
  res.on('error', cleanup);
  await refresh();
}

export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const assets = loadAssets();
  const pollMs = o.pollMs ?? 500;
  const heartbeatMs = o.heartbeatMs ?? 15_000;
  const streams = new Set<() => void>();

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : o.port;
    if (!hostAllowed(req.headers.host, o.host, port)) {
      o.log?.('dashboard.refused', { reason: 'host', host: req.headers.host });
      return send(res, 421, { error: `this dashboard answers only as ${o.host}:${port} or localhost:${port}` });
    }
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';

    const asset = assets.get(path);
    if (asset) {
      if (method !== 'GET' && method !== 'HEAD') return send(res, 405, { error: `${method} not allowed on ${path}` }, { Allow: 'GET, HEAD' });
      res.writeHead(200, { 'Content-Type': asset.type, 'Content-Length': asset.body.length });
      return res.end(method === 'HEAD' ? undefined : asset.body);
    }

    if (path === '/favicon.ico') {
      res.writeHead(204);
      return res.end();
    }

    const control = /^\/migration\/control\/([^/]*)$/.exec(path);
    const known = path === '/migration/status' || path === '/migration/events' || control;
    if (!known) return send(res, 404, { error: `no such endpoint: ${path}`, endpoints: ['GET /migration/status', 'GET /migration/events', 'POST /migration/control/{pause|resume|rollback}'] });
    const wantMethod = control ? 'POST' : 'GET';
    if (method !== wantMethod) return send(res, 405, { error: `${method} not allowed on ${path}; use ${wantMethod}` }, { Allow: wantMethod });
    if (!authorized(o.token, req.headers.authorization)) {
      o.log?.('dashboard.refused', { reason: 'token', path });
      return send(res, 401, { error: 'missing or wrong bearer token', hint: 'send Authorization: Bearer <token printed by mcp dashboard, or MCP_DASHBOARD_TOKEN>' }, { 'WWW-Authenticate': 'Bearer realm="mcp dashboard"' });
    }
    const requested = url.searchParams.get('run');

    if (control) {
      let action: string;
      try {
        action = decodeURIComponent(control[1]!);
      } catch {
        action = control[1]!;
      }
      if (!isAction(action)) return send(res, 400, { error: `unknown action '${action}': use ${ACTIONS.join(', ')}` });
      const runId = pickRun(o.home, requested);
      if (!runId) return send(res, 404, NO_RUN(o.home, requested));
      const reply = perform(o.home, runId, action, o.env);
      o.log?.('dashboard.control', { action, runId, status: reply.body.status, childPid: reply.body.pid });
      return send(res, reply.http, redact(reply.body));
    }

    if (path === '/migration/status') {
      const runId = pickRun(o.home, requested);
      if (!runId) return send(res, 404, NO_RUN(o.home, requested));
      return send(res, 200, (await statusFor(o.home, runId)).doc);
    }

    // GET /migration/events: the status document again whenever the journal changes
    await streamEvents(o, req, res, requested, streams, pollMs, heartbeatMs);
  };

  const server: Server = createServer((req, res) => {
    handler(req, res).catch((e: Error) => {
      o.log?.('dashboard.error', { message: e.message });
      if (!res.headersSent) send(res, 500, redact({ error: e.message }));
      else res.end();
    });
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  const shownHost = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    host: o.host,
    port,
    url: `http://${shownHost}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const end of [...streams]) end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
