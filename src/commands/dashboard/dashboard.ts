// `mcp dashboard`: serve the migration dashboard (src/dashboard/) for this home until SIGINT/SIGTERM.
// The URL with the token in its fragment and, when generated here, the token go to stderr once;
// stdout stays empty unless --json (one line: url without token, host, port).
import type { Handler } from '../../cli/program.js';
import { usageError } from '../../errors.js';
import { ExitCode } from '../../cli/errors.js';
import { generateToken } from '../../dashboard/token.js';
import { startDashboard } from '../../dashboard/server.js';

interface DashboardOpts {
  port?: string;
  host?: string;
}

export const dashboardHandler: Handler<DashboardOpts> = async (ctx, opts) => {
  const port = Number(opts.port ?? '8090');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port ${opts.port}: expected a port number 0–65535 (0 picks a free one)`);
  const host = opts.host ?? '127.0.0.1';
  const fromEnv = ctx.env.MCP_DASHBOARD_TOKEN;
  if (fromEnv !== undefined && fromEnv.length < 16) throw usageError('MCP_DASHBOARD_TOKEN is shorter than 16 characters', { hint: 'use a long random value, or unset it to have one generated' });
  const token = fromEnv ?? generateToken();
  const loopback = host === 'localhost' || host === '::1' || host.startsWith('127.');
  const dash = await startDashboard({
    home: ctx.home,
    token,
    host,
    port,
    env: ctx.env,
    log: (event, fields) => ctx.log.log('info', event, fields),
  }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'EADDRINUSE') throw usageError(`port ${port} on ${host} is in use`, { hint: 'pick another with --port, or --port 0 for a free one' });
    if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') throw usageError(`cannot listen on ${host}: ${e.code}`, { hint: 'pass an address of this machine with --host, e.g. 127.0.0.1' });
    throw e;
  });
  ctx.log.log('info', 'dashboard.start', { host: dash.host, port: dash.port, bearerSource: fromEnv ? 'MCP_DASHBOARD_TOKEN' : 'generated' });
  // Written as is (not through the redacting progress writer, which would mask the token it must show).
  const err = (s: string) => ctx.out.writeStderr(s + '\n');
  err(`mcp dashboard for ${ctx.home}: ${fromEnv ? dash.url : `${dash.url}#token=${token}`}`);
  if (fromEnv) err('token: from MCP_DASHBOARD_TOKEN (open the URL and add #token=<your token>)');
  else err(`token (shown once; send as Authorization: Bearer …): ${token}`);
  if (!loopback) ctx.out.warn(`listening on ${host}, not loopback: anyone who can reach it sees the page; control and status need the token, which travels over plain HTTP`);
  err('Ctrl-C to stop');
  ctx.out.event({ url: dash.url, host: dash.host, port: dash.port });
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) return resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await dash.close();
  ctx.log.log('info', 'dashboard.stop', { port: dash.port });
  return { exitCode: ExitCode.OK };
};
