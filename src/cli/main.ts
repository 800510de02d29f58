// Entry for both binaries: wire process streams, signals and env into an App, run, return the exit code.
import type { App } from './program.js';
import { runCli } from './program.js';

export async function main(bin: App['bin'], argv: string[]): Promise<number> {
  // everything mcp writes is its owner's alone (configs hold secrets, the database its rows), whatever the
  // umask it was started with; files it hands on elsewhere (exports, manifests) are the user's to share
  process.umask(0o077);
  // `mcp services list | head -1` closes the pipe early: that is not an error.
  for (const s of [process.stdout, process.stderr]) s.on('error', (e: NodeJS.ErrnoException) => { if (e.code !== 'EPIPE') throw e; });
  const controller = new AbortController();
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) {
      // second ^C: leave now; state on disk is resumable by design
      process.stderr.write(`${bin}: interrupted again, leaving now\n`);
      process.kill(process.pid, sig === 'SIGINT' ? 'SIGKILL' : sig);
      return;
    }
    interrupted = true;
    process.stderr.write(`${bin}: ${sig} received, stopping at the next safe point…\n`);
    controller.abort(new Error(sig));
    // a command that cannot reach a safe point within 2 s (a long statement, a child process) is left
    // anyway: every change is journaled or transactional, so what it leaves resumes or rolls back
    setTimeout(() => {
      process.stderr.write(`${bin}: still running 2 s after ${sig}; leaving now (mcp migration status / mcp db status show what to resume)\n`);
      // the one place a process leaves on its own: the handler did not return in time
      // eslint-disable-next-line no-restricted-properties
      process.exit(130);
    }, 2000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const app: App = { bin, argv, streams: { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }, env: process.env, signal: controller.signal, exitCode: 0 };
  const program = bin === 'mcp' ? (await import('./mcp.js')).buildMcp(app) : (await import('./mcp-migrate.js')).buildMcpMigrate(app);
  const code = await runCli(app, program);
  return interrupted && code !== 0 ? 130 : code;
}
