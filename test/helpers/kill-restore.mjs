// kill -9 at a random point of `mcp backup restore` of a 4.2 backup into a 6.0 home, then the documented
// recovery (the next command that touches the home settles the restore), then the invariant: the config's
// version, the database's layout and newest migration, the data files and the version history all say 4.2,
// or all say 6.0 — never a mix — and nothing of the restore is left behind (journal, staging, moved-aside).
// Shared by test/e2e/kill-restore.test.ts (30 trials in CI) and test/kill-restore.mjs (more on demand).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, copyHome, dbRows, fingerprintHome, MCP } from './kill-trial.mjs';

const ENV = { ...process.env, NO_COLOR: '1', CI: 'true' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A 6.0 home (the example, upgraded) holding a full backup named v4 taken at 4.2; the two states' fingerprints. */
export async function restoreTemplate() {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-kill-restore-'));
  const home = join(dir, 'home');
  const step = async (args) => {
    const r = await cli(MCP, args, home);
    if (r.exitCode !== 0) throw new Error(`mcp ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  await step(['init', '--example']);
  await step(['backup', 'create', '--full', '--name', 'v4']);
  const at4 = await stateOf(home);
  await step(['upgrade', '--to', '6.0']);
  const at6 = await stateOf(home);
  // one restore, timed, to spread the kill points over it
  const probe = copyHome(home);
  const t0 = Date.now();
  const r = await cli(MCP, ['backup', 'restore', '--id', 'v4'], probe.home);
  if (r.exitCode !== 0) throw new Error(`the restore cannot run here: ${r.stderr}`);
  const span = Math.max(1500, Math.round(1.3 * (Date.now() - t0)));
  const restored = await stateOf(probe.home);
  rmSync(probe.dir, { recursive: true, force: true });
  if (!same(restored, at4)) throw new Error(`a complete restore does not give the 4.2 state back:\n${JSON.stringify(restored)}\n${JSON.stringify(at4)}`);
  return { dir, home, at4, at6, span };
}

/** What must agree: config version, database layout and newest migration, data files, version history. */
export async function stateOf(home) {
  const fp = await fingerprintHome(home);
  const cfg = existsSync(join(home, 'config/platform.json')) ? JSON.parse(readFileSync(join(home, 'config/platform.json'), 'utf8')).version : /version:\s*"?([\d.]+)/.exec(readFileSync(join(home, 'config/platform.yaml'), 'utf8'))?.[1];
  const rows = await dbRows(home);
  const { openDatabase } = await import(join(import.meta.dirname, '../../dist/src/db/open.js'));
  const db = await openDatabase({ home, env: { ...process.env, MCP_DATABASE_URL: '' }, lockTimeoutMs: 30_000, command: 'kill-restore check' });
  let newest = 'none';
  let layout;
  try {
    const t = await db.query(`SELECT to_regclass('migrations') IS NOT NULL AS t`);
    if (t.rows[0].t) newest = (await db.query(`SELECT COALESCE(max(version), 'none') AS v FROM migrations WHERE status = 'completed'`)).rows[0].v;
    const { detectLayout } = await import(join(import.meta.dirname, '../../dist/src/db/layouts.js'));
    layout = await detectLayout(db);
  } finally {
    await db.close();
  }
  const versions = existsSync(join(home, 'state/versions')) ? readdirSync(join(home, 'state/versions')).sort() : [];
  const tables = Object.fromEntries(Object.entries(rows).filter(([t]) => !t.startsWith('mcp_')).sort(([a], [b]) => a.localeCompare(b)));
  return { config: cfg, layout, newest, data: fp.data, history: versions, tables };
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Everything a restore may leave while it runs; none of it may survive the recovery. */
function leftovers(home) {
  const out = [];
  if (existsSync(join(home, 'state/restore-journal.json'))) out.push('state/restore-journal.json');
  for (const d of [home, join(home, 'state')]) for (const n of existsSync(d) ? readdirSync(d) : []) if (/^\.mcp-restore-|\.mcp-old-|^\.verify-/.test(n)) out.push(n);
  for (const n of existsSync(join(home, 'backups')) ? readdirSync(join(home, 'backups')) : []) if (n.endsWith('.partial')) out.push(`backups/${n}`);
  return out;
}

export async function restoreTrial({ template, killAfterMs, recovery = ['backup', 'list'], again = true }) {
  const { dir, home } = copyHome(template.home);
  try {
    const child = spawn(process.execPath, [MCP, '--home', home, 'backup', 'restore', '--id', 'v4'], { env: ENV, stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
    await Promise.race([sleep(killAfterMs), exited]);
    let killed = false;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      killed = true;
    }
    const ex = await exited;
    if (!killed && ex.code !== 0) throw new Error(`the restore exited ${ex.code} without being killed`);
    const after = await cli(MCP, recovery, home);
    if (after.exitCode !== 0) throw new Error(`mcp ${recovery.join(' ')} after the kill exited ${after.exitCode}: ${after.stderr}`);
    const left = leftovers(home);
    if (left.length) throw new Error(`left behind after the recovery: ${left.join(', ')}\n${after.stderr}`);
    const now = await stateOf(home);
    const outcome = same(now, template.at4) ? '4.2 (restored)' : same(now, template.at6) ? '6.0 (as before)' : undefined;
    if (!outcome) throw new Error(`after a kill at ${killAfterMs} ms the home is a mix:\n${JSON.stringify({ now, at4: template.at4, at6: template.at6 }, null, 1).slice(0, 3000)}\n${after.stderr}`);
    // and the home takes a restore again
    if (again) {
      const r = await cli(MCP, ['backup', 'restore', '--id', 'v4'], home);
      if (r.exitCode !== 0) throw new Error(`a restore after the recovery exited ${r.exitCode}: ${r.stderr}`);
    }
    return { killed, killAfterMs, outcome, said: after.stderr.split('\n').find((l) => /restore/.test(l)) ?? '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
