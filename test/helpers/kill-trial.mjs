// kill -9 at a random point of a run, then resume or roll back, then check the home is either fully
// at the target or byte-identical to the start (config files, data files, database rows).
// Shared by test/e2e/upgrade-kill.test.ts and the script test/kill-upgrade.mjs (more trials).
// Uses the BUILT CLI (dist/), like a user.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = resolve(import.meta.dirname, '../..');
export const MCP = join(ROOT, 'dist/bin/mcp.js');
export const MCP_MIGRATE = join(ROOT, 'dist/bin/mcp-migrate.js');
const ENV = { ...process.env, NO_COLOR: '1', CI: 'true' };

/** Run the CLI without blocking (trials run side by side). */
export function cli(bin, args, home, timeoutMs = 300_000) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, '--home', home, ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ exitCode: code ?? -1, stdout, stderr });
    });
  });
}

const sha = (b) => createHash('sha256').update(b).digest('hex');

function treeHash(root, skip = () => false) {
  const out = {};
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const n of readdirSync(dir).sort()) {
      const p = join(dir, n);
      if (skip(p)) continue;
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out[relative(root, p)] = sha(readFileSync(p));
    }
  };
  walk(root);
  return out;
}

/** Every row of every table of the home's database, as JSON, table by table. */
export async function dbRows(home) {
  const { openDatabase } = await import(pathToFileURL(join(ROOT, 'dist/src/db/open.js')).href);
  const db = await openDatabase({ home, env: { ...process.env, MCP_DATABASE_URL: '' }, lockTimeoutMs: 30_000, command: 'kill-trial check' });
  try {
    const tables = (await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`)).rows.map((r) => r.table_name);
    const out = {};
    // PGlite gives int8 as BigInt (the content snapshot's digests), which JSON has no form for
    for (const t of tables) out[t] = sha(JSON.stringify((await db.query(`SELECT * FROM "${t}" ORDER BY 1`)).rows, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
    return out;
  } finally {
    await db.close();
  }
}

/** What must be identical after a rollback: config (with its history), data files, database rows. */
export async function fingerprintHome(home) {
  return {
    config: treeHash(join(home, 'config')),
    data: treeHash(join(home, 'data')),
    rows: await dbRows(home),
  };
}

export function copyHome(template) {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-kill-'));
  const home = join(dir, 'home');
  cpSync(template, home, { recursive: true });
  return { dir, home };
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * One trial. `run` is the argv of the run to kill; `isTarget(home)` says whether the home is fully at
 * the target. Returns what happened, and throws with the reason when the invariant does not hold.
 */
export async function trial({ template, start, run, killAfterMs, action, isTarget, rollbackArgs }) {
  const { dir, home } = copyHome(template);
  try {
    const child = spawn(process.execPath, [MCP, '--home', home, ...run], { env: ENV, stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
    await Promise.race([sleep(killAfterMs), exited]);
    let killed = false;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      killed = true;
    }
    await exited;
    let after;
    if (action === 'resume') {
      after = await cli(MCP, ['migration', 'resume'], home);
      // no run yet (killed before its journal existed) or already complete: both say so with exit 3
      if (after.exitCode !== 0 && after.exitCode !== 3) throw new Error(`resume exited ${after.exitCode}: ${after.stderr}`);
    } else {
      after = await cli(MCP_MIGRATE, ['rollback', ...rollbackArgs], home);
      if (after.exitCode !== 0 && after.exitCode !== 3) throw new Error(`rollback exited ${after.exitCode}: ${after.stderr}`);
    }
    const now = await fingerprintHome(home);
    const identical = JSON.stringify(now) === JSON.stringify(start);
    const atTarget = await isTarget(home, now);
    if (action === 'rollback' && !identical) throw new Error(`after kill at ${killAfterMs} ms and rollback, the home differs from the start:\n${diff(start, now)}\n${after.stderr}`);
    if (action === 'resume' && !(identical || atTarget)) throw new Error(`after kill at ${killAfterMs} ms and resume, the home is neither at the target nor as it started:\n${diff(start, now)}\n${after.stderr}`);
    if (action === 'resume' && after.exitCode === 0 && !atTarget) throw new Error(`resume succeeded but the home is not at the target:\n${after.stderr}`);
    return { killed, killAfterMs, action, outcome: atTarget ? 'target' : 'start', exitCode: after.exitCode };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function diff(a, b) {
  const lines = [];
  for (const part of ['config', 'data', 'rows']) {
    const keys = new Set([...Object.keys(a[part]), ...Object.keys(b[part])]);
    for (const k of keys) if (a[part][k] !== b[part][k]) lines.push(`  ${part}/${k}: ${a[part][k] ? (b[part][k] ? 'changed' : 'missing') : 'added'}`);
  }
  return lines.join('\n');
}
