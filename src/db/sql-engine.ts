// The migration engine for PostgreSQL and PGlite: plan (what to adopt, apply, resume, roll back), lock,
// run each migration step by step with its progress in the tracking table, and leave a precise status
// when something fails. Dry-run is the same planner; it just prints the steps instead of running them.
import { hostname, userInfo } from 'node:os';
import { busyError, CliError, ExitCode, failedError, integrityError, preconditionError } from '../cli/errors.js';
import { redactText } from '../redact.js';
import { packageVersion } from '../paths.js';
import type { SqlDatabase, SqlSession } from './types.js';
import { CHECKSUM_ALGORITHM, isRealChecksum, orderOf, withinTarget, type SqlMigration, type Step } from './sqlfile.js';
import { ensureTracking, isApplied, latestRows, readTracking, type TrackingInfo, type TrackingRow } from './tracking.js';

/** The advisory lock key: ASCII 'mcpm' — the same for every mcp run against this database. */
export const ADVISORY_LOCK_KEY = 0x6d63706d;

export type MigrationState =
  | 'applied'
  | 'baselined'
  | 'pending'
  | 'failed'
  | 'running'
  | 'rolling_back'
  | 'rolled_back';

export interface MigrationStatus {
  version: string;
  seq: number;
  name: string;
  file: string;
  state: MigrationState;
  /** the file changed since it was applied */
  drifted: boolean;
  /** applied by hand from the guide; its checksum is a placeholder to be replaced by the file's */
  placeholderChecksum: boolean;
  executedAt?: string;
  durationMs?: number;
  appliedBy?: string;
  error?: string;
  failedStatement?: string;
  direction?: 'up' | 'down';
  stepsDone?: number;
  steps: number;
  rowsDone?: number;
}

export interface StatusReport {
  database: string;
  kind: string;
  trackingTable: 'missing' | 'guide' | 'mcp';
  current?: string;
  migrations: MigrationStatus[];
  /** rows of the tracking table no file matches */
  unknown: { version: string; name: string; status: string | null }[];
  pending: number;
  failed: number;
  drifted: string[];
}

export interface EngineOptions {
  lockTimeoutMs: number;
  progress: (msg: string) => void;
  signal?: AbortSignal;
  command?: string;
}

const iso = (d: Date | string | null | undefined) => (d == null ? undefined : d instanceof Date ? d.toISOString() : String(d));
const keyOf = (m: { version: string; name: string }) => `${m.version}|${m.name}`;
export const appliedBy = () => `${safeUser()}@${hostname()} (mcp ${packageVersion}, pid ${process.pid})`.slice(0, 255);
function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function stateOf(r: TrackingRow | undefined): MigrationState {
  switch (r?.status) {
    case 'completed':
      return 'applied';
    case 'baselined':
      return 'baselined';
    case 'failed':
      return 'failed';
    case 'running':
      return 'running';
    case 'rolling_back':
      return 'rolling_back';
    case 'rolled_back':
      return 'rolled_back';
    default:
      return 'pending';
  }
}

export function buildStatus(db: { display: string; kind: string }, migs: SqlMigration[], t: TrackingInfo): StatusReport {
  const latest = latestRows(t.rows);
  const files = new Set(migs.map(keyOf));
  const migrations: MigrationStatus[] = migs.map((m) => {
    const r = latest.get(keyOf(m));
    const state = stateOf(r);
    const placeholder = !!r && isApplied(r) && !isRealChecksum(r.checksum);
    const drifted = !!r && isApplied(r) && !placeholder && r.checksum!.toLowerCase() !== m.checksum;
    const dir = (r?.direction ?? undefined) as 'up' | 'down' | undefined;
    return {
      version: m.version,
      seq: m.seq,
      name: m.name,
      file: m.file,
      state,
      drifted,
      placeholderChecksum: placeholder,
      executedAt: iso(r?.executed_at),
      durationMs: r?.duration_ms ?? undefined,
      appliedBy: r?.applied_by ?? undefined,
      error: r?.error ?? undefined,
      failedStatement: r?.failed_statement ?? undefined,
      direction: state === 'failed' || state === 'running' || state === 'rolling_back' ? dir ?? 'up' : undefined,
      stepsDone: state === 'failed' || state === 'running' || state === 'rolling_back' ? r?.step ?? 0 : undefined,
      steps: (dir === 'down' ? m.down : m.up).length,
      rowsDone: r?.rows_done != null && Number(r.rows_done) > 0 ? Number(r.rows_done) : undefined,
    };
  });
  const unknown = [...latest.values()].filter((r) => !files.has(keyOf(r))).map((r) => ({ version: r.version, name: r.name, status: r.status }));
  const applied = migrations.filter((m) => m.state === 'applied' || m.state === 'baselined');
  return {
    database: db.display,
    kind: db.kind,
    trackingTable: !t.exists ? 'missing' : t.handMade ? 'guide' : 'mcp',
    current: applied.length ? applied[applied.length - 1]!.version : undefined,
    migrations,
    unknown,
    pending: migrations.filter((m) => m.state !== 'applied' && m.state !== 'baselined').length,
    failed: migrations.filter((m) => m.state === 'failed' || m.state === 'running' || m.state === 'rolling_back').length,
    drifted: migrations.filter((m) => m.drifted).map((m) => m.file),
  };
}

export async function sqlStatus(db: SqlDatabase, migs: SqlMigration[]): Promise<StatusReport> {
  return buildStatus(db, migs, await readTracking(db));
}

// ---------------------------------------------------------------------------------------------- locking

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * PostgreSQL: pg_try_advisory_lock on a dedicated session that holds no transaction (so CREATE INDEX
 * CONCURRENTLY, which waits for every older transaction, cannot wait for it), retried with backoff up to the
 * timeout. The holder is named from pg_stat_activity. PGlite: the open database already holds the lock file.
 */
export async function acquireMigrationLock(db: SqlDatabase, opts: EngineOptions): Promise<HeldLock> {
  const name = `mcp pid ${process.pid} on ${hostname()}`.slice(0, 63);
  const session = await db.dedicated({ applicationName: name });
  if (!session) return { release: async () => undefined };
  const deadline = Date.now() + opts.lockTimeoutMs;
  let delay = 50;
  let told = false;
  try {
    for (;;) {
      const r = await session.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [ADVISORY_LOCK_KEY]);
      if (r.rows[0]!.ok) {
        return {
          async release() {
            await session.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]).catch(() => undefined);
            await session.release();
          },
        };
      }
      const holder = await lockHolder(session);
      if (Date.now() >= deadline || opts.signal?.aborted) {
        throw busyError(`the migration lock of ${db.display} is held by ${holder ?? 'another session'}`, {
          hint: 'wait for that run to finish (or raise --lock-timeout), then retry; a killed run releases it by itself',
          details: { holder },
        });
      }
      if (!told) {
        told = true;
        opts.progress(`waiting for the migration lock, held by ${holder ?? 'another session'} (up to ${Math.round(opts.lockTimeoutMs / 1000)} s)`);
      }
      await new Promise((res) => setTimeout(res, Math.min(delay, Math.max(10, deadline - Date.now()))));
      delay = Math.min(delay * 2, 1000);
    }
  } catch (e) {
    await session.release();
    throw e;
  }
}

async function lockHolder(s: SqlSession): Promise<string | undefined> {
  const r = await s.query<{ pid: number; application_name: string; client_addr: string | null; backend_start: Date; usename: string }>(
    `SELECT a.pid, a.application_name, host(a.client_addr) AS client_addr, a.backend_start, a.usename
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objid = $1::bigint AND l.classid = 0
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [ADVISORY_LOCK_KEY],
  );
  const h = r.rows[0];
  if (!h) return undefined;
  const app = h.application_name?.startsWith('mcp pid ') ? h.application_name.replace(/^mcp /, '') : undefined;
  return `${app ?? `${h.application_name || 'a session'}`} (server pid ${h.pid}, user ${h.usename}${h.client_addr ? ` from ${h.client_addr}` : ''}, since ${iso(h.backend_start)})`;
}

// ---------------------------------------------------------------------------------------------- planning

export type Action = 'adopt' | 'baseline' | 'apply' | 'resume' | 'rollback';

export interface PlannedStep {
  kind: Step['kind'];
  statements: string[];
  size?: number;
}

export interface PlanItem {
  action: Action;
  version: string;
  seq: number;
  name: string;
  file: string;
  /** apply/resume: first step to run; rollback: first down step */
  fromStep: number;
  steps: PlannedStep[];
  note?: string;
}

const planned = (steps: Step[], from: number): PlannedStep[] =>
  steps.slice(from).map((s) => ({ kind: s.kind, statements: s.statements.map((x) => x.sql), size: s.size }));

export interface MigrateOptions extends EngineOptions {
  target?: string;
  dryRun?: boolean;
  allowOutOfOrder?: boolean;
}

/** What migrate would do against this state; throws exit 5 on drift and exit 3 on out-of-order files. */
export function planMigrate(migs: SqlMigration[], t: TrackingInfo, opts: { target?: string; allowOutOfOrder?: boolean }): PlanItem[] {
  const latest = latestRows(t.rows);
  const items: PlanItem[] = [];
  const drifted: string[] = [];
  // the last migration that is applied; anything without a row before it is out of order,
  // unless that row was written by hand from the guide (then the earlier files are baselined)
  let lastApplied = -1;
  migs.forEach((m, i) => {
    if (isApplied(latest.get(keyOf(m)))) lastApplied = i;
  });
  const lastRow = lastApplied >= 0 ? latest.get(keyOf(migs[lastApplied]!)) : undefined;
  const lastIsHandMade = !!lastRow && !lastRow.checksum_algorithm;
  const outOfOrder: string[] = [];
  migs.forEach((m, i) => {
    const r = latest.get(keyOf(m));
    const inTarget = !opts.target || withinTarget(m.version, opts.target);
    if (isApplied(r)) {
      if (!isRealChecksum(r!.checksum) || !r!.checksum_algorithm) {
        items.push({ action: 'adopt', ...ident(m), fromStep: 0, steps: [], note: isRealChecksum(r!.checksum) ? 'applied by hand; record the checksum algorithm' : `applied by hand with placeholder checksum '${r!.checksum ?? ''}'; record the file's checksum` });
        if (isRealChecksum(r!.checksum) && r!.checksum!.toLowerCase() !== m.checksum) drifted.push(m.file);
      } else if (r!.checksum!.toLowerCase() !== m.checksum) drifted.push(m.file);
      return;
    }
    if (r && (r.status === 'failed' || r.status === 'running' || r.status === 'rolling_back') && r.direction === 'down') {
      throw preconditionError(`${m.file} was being rolled back when that run ${r.status === 'failed' ? 'failed' : 'stopped'}${r.error ? `: ${r.error}` : ''}`, {
        hint: `finish the rollback first: mcp db rollback --to <a version before ${m.version}>`,
      });
    }
    if (!inTarget) return;
    if (r && (r.status === 'failed' || r.status === 'running')) {
      const from = r.step ?? 0;
      if (r.checksum && r.checksum.toLowerCase() !== m.checksum && from > 0) {
        throw integrityError(`${m.file} changed after a partial run (${from} of ${m.up.length} steps were committed)`, {
          where: m.path,
          hint: `restore the file as it was, or undo the partial run with mcp db rollback --to <a version before ${m.version}>`,
        });
      }
      items.push({ action: 'resume', ...ident(m), fromStep: from, steps: planned(m.up, from), note: `resuming after ${r.status === 'failed' ? `a failure${r.error ? ` (${r.error})` : ''}` : 'an interrupted run'} at step ${from + 1} of ${m.up.length}${r.batch_cursor ? `, batch after key ${r.batch_cursor}` : ''}` });
      return;
    }
    if (i < lastApplied) {
      if (lastIsHandMade) {
        items.push({ action: 'baseline', ...ident(m), fromStep: 0, steps: [], note: `before ${migs[lastApplied]!.file}, which was applied by hand: recorded as baselined, not run` });
        return;
      }
      if (!opts.allowOutOfOrder) outOfOrder.push(m.file);
    }
    items.push({ action: 'apply', ...ident(m), fromStep: 0, steps: planned(m.up, 0) });
  });
  if (drifted.length) {
    throw integrityError(`${drifted.length === 1 ? 'an applied migration was changed' : `${drifted.length} applied migrations were changed`}: ${drifted.join(', ')}`, {
      where: drifted[0],
      hint: 'restore the file as it was applied; if the change is intended (e.g. a comment), accept it with mcp db repair',
      details: { drifted },
    });
  }
  if (outOfOrder.length) {
    throw preconditionError(`pending migration${outOfOrder.length > 1 ? 's' : ''} ${outOfOrder.join(', ')} come${outOfOrder.length > 1 ? '' : 's'} before ${migs[lastApplied]!.file}, which is already applied`, {
      hint: 'apply them anyway with --allow-out-of-order (check they do not depend on later migrations)',
    });
  }
  return items;
}

const ident = (m: SqlMigration) => ({ version: m.version, seq: m.seq, name: m.name, file: m.file });

/** Rollback to `to`: every migration applied (or partly applied) beyond it, newest first. */
export function planRollback(migs: SqlMigration[], t: TrackingInfo, to: string): PlanItem[] {
  const latest = latestRows(t.rows);
  const items: PlanItem[] = [];
  for (const m of [...migs].reverse()) {
    if (withinTarget(m.version, to)) continue;
    const r = latest.get(keyOf(m));
    if (!r || r.status === 'rolled_back' || r.status === 'pending' || r.status == null) continue;
    if ((r.status === 'failed' || r.status === 'running') && (r.direction ?? 'up') === 'up' && (r.step ?? 0) === 0) {
      items.push({ action: 'rollback', ...ident(m), fromStep: m.down.length, steps: [], note: 'nothing of it was committed: marked rolled back' });
      continue;
    }
    const resumingDown = r.direction === 'down' && r.status !== 'completed' && r.status !== 'baselined';
    const from = resumingDown ? r.step ?? 0 : 0;
    items.push({
      action: 'rollback',
      ...ident(m),
      fromStep: from,
      steps: planned(m.down, from),
      note: resumingDown ? `resuming the rollback at step ${from + 1} of ${m.down.length}` : r.status === 'failed' || r.status === 'running' ? `partly applied (${r.step} of ${m.up.length} steps)` : undefined,
    });
  }
  return items;
}

// ---------------------------------------------------------------------------------------------- running

export interface RunReport {
  items: (PlanItem & { ok: boolean; durationMs?: number; rows?: number })[];
  dryRun: boolean;
}

class StepFailure extends Error {
  constructor(
    message: string,
    readonly statement: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

async function rowFor(s: SqlSession, m: SqlMigration): Promise<TrackingRow | undefined> {
  const r = await s.query<TrackingRow>(`SELECT * FROM migrations WHERE version = $1 AND name = $2 ORDER BY id DESC LIMIT 1`, [m.version, m.name]);
  return r.rows[0];
}

async function startRow(db: SqlDatabase, m: SqlMigration, direction: 'up' | 'down', keepProgress: boolean): Promise<TrackingRow> {
  const existing = await rowFor(db, m);
  const status = direction === 'up' ? 'running' : 'rolling_back';
  if (existing) {
    const r = await db.query<TrackingRow>(
      `UPDATE migrations SET status = $2, direction = $3, seq = $4, file = $5, checksum = $6, checksum_algorithm = $7, applied_by = $8,
              error = NULL, failed_statement = NULL, updated_at = now()
              ${keepProgress ? '' : ', step = 0, batch_cursor = NULL, rows_done = 0'}
        WHERE id = $1 RETURNING *`,
      [existing.id, status, direction, m.seq, m.file, m.checksum, CHECKSUM_ALGORITHM, appliedBy()],
    );
    return r.rows[0]!;
  }
  const r = await db.query<TrackingRow>(
    `INSERT INTO migrations (version, name, seq, file, checksum, checksum_algorithm, status, direction, applied_by, step, rows_done, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 0, now()) RETURNING *`,
    [m.version, m.name, m.seq, m.file, m.checksum, CHECKSUM_ALGORITHM, status, direction, appliedBy()],
  );
  return r.rows[0]!;
}

const INDEX_RE = /^\s*create\s+(?:unique\s+)?index\s+concurrently\s+(?:if\s+not\s+exists\s+)?("?[\w.]+"?)/i;

async function indexValidity(s: SqlSession, name: string): Promise<boolean | undefined> {
  const r = await s.query<{ valid: boolean }>(
    `SELECT i.indisvalid AND i.indisready AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace`,
    [name.replace(/"/g, '')],
  );
  return r.rows[0]?.valid;
}

async function runSteps(db: SqlDatabase, m: SqlMigration, row: TrackingRow, steps: Step[], from: number, opts: EngineOptions): Promise<number> {
  let rows = Number(row.rows_done ?? 0);
  for (let i = from; i < steps.length; i++) {
    if (opts.signal?.aborted) throw new CliError(ExitCode.INTERRUPTED, 'interrupted', `interrupted before step ${i + 1} of ${m.file}; run the command again to resume`);
    const step = steps[i]!;
    if (step.kind === 'tx') {
      let current = step.statements[0]!;
      try {
        await db.transaction(async (s) => {
          for (const st of step.statements) {
            current = st;
            await s.exec(st.sql);
          }
          await s.query(`UPDATE migrations SET step = $2, batch_cursor = NULL, updated_at = now() WHERE id = $1`, [row.id, i + 1]);
        });
      } catch (e) {
        throw new StepFailure((e as Error).message, current.sql, current.line);
      }
    } else if (step.kind === 'notx') {
      const st = step.statements[0]!;
      const idx = st.sql.match(INDEX_RE)?.[1];
      try {
        if (idx) {
          // a previous attempt that died left an invalid index behind: IF NOT EXISTS would keep it
          if ((await indexValidity(db, idx)) === false) {
            opts.progress(`  dropping the invalid index ${idx} left by an earlier attempt`);
            await db.exec(`DROP INDEX CONCURRENTLY IF EXISTS ${idx}`);
          }
        }
        opts.progress(`  ${m.file}: ${st.sql.split('\n')[0]!.slice(0, 100)} (outside a transaction)`);
        await db.exec(st.sql);
      } catch (e) {
        throw new StepFailure((e as Error).message, st.sql, st.line);
      }
      if (idx && (await indexValidity(db, idx)) !== true) {
        throw new StepFailure(`index ${idx} is not valid after CREATE INDEX CONCURRENTLY (indisvalid = false)`, st.sql, st.line);
      }
      await db.query(`UPDATE migrations SET step = $2, batch_cursor = NULL, updated_at = now() WHERE id = $1`, [row.id, i + 1]);
    } else {
      const st = step.statements[0]!;
      let cursor: string | null = i === from ? row.batch_cursor ?? null : null;
      for (;;) {
        if (opts.signal?.aborted) throw new CliError(ExitCode.INTERRUPTED, 'interrupted', `interrupted in ${m.file} after key ${cursor}; run the command again to resume from there`);
        let n = 0;
        try {
          await db.transaction(async (s) => {
            const r = await s.query<{ last: unknown; n: number | string }>(st.sql, [cursor, step.size]);
            const out = r.rows[0];
            if (!out || !('n' in out) || !('last' in out)) throw new Error('a batch statement must return one row with columns last and n');
            n = Number(out.n);
            if (n > 0) {
              cursor = String(out.last);
              await s.query(`UPDATE migrations SET batch_cursor = $2, rows_done = rows_done + $3, updated_at = now() WHERE id = $1`, [row.id, cursor, n]);
            }
          });
        } catch (e) {
          throw new StepFailure((e as Error).message, st.sql, st.line);
        }
        if (n === 0) break;
        rows += n;
        opts.progress(`  ${m.file}: ${rows} rows (batch up to key ${cursor})`);
      }
      await db.query(`UPDATE migrations SET step = $2, batch_cursor = NULL, updated_at = now() WHERE id = $1`, [row.id, i + 1]);
    }
  }
  return rows;
}

async function recordFailure(db: SqlDatabase, row: TrackingRow, e: unknown, started: number): Promise<void> {
  const msg = redactText((e as Error).message ?? String(e));
  const stmt = e instanceof StepFailure ? e.statement : null;
  await db
    .query(`UPDATE migrations SET status = 'failed', error = $2, failed_statement = $3, duration_ms = $4, updated_at = now() WHERE id = $1`, [row.id, msg.slice(0, 4000), stmt?.slice(0, 4000) ?? null, Date.now() - started])
    .catch(() => undefined);
}

function failure(m: SqlMigration, e: unknown, verb: string): CliError {
  if (e instanceof CliError) return e;
  const f = e instanceof StepFailure ? e : undefined;
  return failedError(`${m.file} failed while ${verb}: ${redactText((e as Error).message)}`, {
    where: f?.line ? `${m.path}:${f.line}` : m.path,
    hint: verb === 'rolling back'
      ? 'fix the cause and run the rollback again: it resumes at the failed step (mcp db status shows it)'
      : `fix the cause and run mcp db migrate again (it resumes at the failed step), or undo the partial run with mcp db rollback --to <the version before ${m.version}>`,
    details: f ? { statement: f.statement } : undefined,
  });
}

export async function applyPlan(db: SqlDatabase, migs: SqlMigration[], items: PlanItem[], opts: EngineOptions): Promise<RunReport> {
  const byKey = new Map(migs.map((m) => [keyOf(m), m]));
  const done: RunReport['items'] = [];
  for (const it of items) {
    const m = byKey.get(keyOf(it))!;
    const started = Date.now();
    if (it.action === 'adopt') {
      await db.query(
        `UPDATE migrations SET checksum = $3, checksum_algorithm = $4, adopted = TRUE, seq = $5, file = $6, updated_at = now()
          WHERE id = (SELECT max(id) FROM migrations WHERE version = $1 AND name = $2)`,
        [m.version, m.name, m.checksum, CHECKSUM_ALGORITHM, m.seq, m.file],
      );
      opts.progress(`adopted ${m.file} (${it.note})`);
      done.push({ ...it, ok: true });
      continue;
    }
    if (it.action === 'baseline') {
      const existing = await rowFor(db, m);
      if (existing) {
        await db.query(`UPDATE migrations SET status = 'baselined', checksum = $2, checksum_algorithm = $3, adopted = TRUE, seq = $4, file = $5, applied_by = $6, step = 0, error = NULL, failed_statement = NULL, updated_at = now() WHERE id = $1`, [existing.id, m.checksum, CHECKSUM_ALGORITHM, m.seq, m.file, appliedBy()]);
      } else {
        await db.query(
          `INSERT INTO migrations (version, name, seq, file, checksum, checksum_algorithm, status, applied_by, adopted, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'baselined', $7, TRUE, now())`,
          [m.version, m.name, m.seq, m.file, m.checksum, CHECKSUM_ALGORITHM, appliedBy()],
        );
      }
      opts.progress(`baselined ${m.file}${it.note ? ` (${it.note})` : ''}`);
      done.push({ ...it, ok: true });
      continue;
    }
    const up = it.action !== 'rollback';
    opts.progress(`${up ? (it.action === 'resume' ? 'resuming' : 'applying') : 'rolling back'} ${m.file}${it.note ? ` — ${it.note}` : ''}`);
    const row = await startRow(db, m, up ? 'up' : 'down', it.fromStep > 0 || it.action === 'resume');
    try {
      const rows = await runSteps(db, m, row, up ? m.up : m.down, it.fromStep, opts);
      const ms = Date.now() - started;
      await db.query(
        `UPDATE migrations SET status = $2, executed_at = ${up ? 'now()' : 'executed_at'}, duration_ms = $3, step = 0, batch_cursor = NULL, error = NULL, failed_statement = NULL, updated_at = now() WHERE id = $1`,
        [row.id, up ? 'completed' : 'rolled_back', ms],
      );
      opts.progress(`✓ ${m.file} ${up ? 'applied' : 'rolled back'} in ${ms} ms${rows ? ` (${rows} rows)` : ''}`);
      done.push({ ...it, ok: true, durationMs: ms, rows: rows || undefined });
    } catch (e) {
      if (!(e instanceof CliError && e.exitCode === ExitCode.INTERRUPTED)) await recordFailure(db, row, e, started);
      else await db.query(`UPDATE migrations SET status = 'failed', error = $2, updated_at = now() WHERE id = $1`, [row.id, 'interrupted']).catch(() => undefined);
      throw failure(m, e, up ? 'applying' : 'rolling back');
    }
  }
  return { items: done, dryRun: false };
}

/** Lock, (re)read the state under the lock, plan, run. */
export async function sqlMigrate(db: SqlDatabase, migs: SqlMigration[], opts: MigrateOptions): Promise<RunReport> {
  if (opts.dryRun) {
    const items = planMigrate(migs, await readTracking(db), opts);
    return { items: items.map((i) => ({ ...i, ok: true })), dryRun: true };
  }
  const lock = await acquireMigrationLock(db, opts);
  try {
    await ensureTracking(db);
    const items = planMigrate(migs, await readTracking(db), opts);
    return await applyPlan(db, migs, items, opts);
  } finally {
    await lock.release();
  }
}

export async function sqlRollback(db: SqlDatabase, migs: SqlMigration[], opts: EngineOptions & { to: string; dryRun?: boolean }): Promise<RunReport> {
  const check = (t: TrackingInfo) => {
    const items = planRollback(migs, t, opts.to);
    const missingDown = items.filter((i) => i.steps.length === 0 && i.fromStep === 0 && migs.find((m) => keyOf(m) === keyOf(i))!.down.length === 0);
    if (missingDown.length) throw preconditionError(`${missingDown.map((i) => i.file).join(', ')} ha${missingDown.length > 1 ? 've' : 's'} no down section`, { hint: 'restore from a backup instead (mcp backup restore --id ID --data-only)' });
    return items;
  };
  if (opts.dryRun) return { items: check(await readTracking(db)).map((i) => ({ ...i, ok: true })), dryRun: true };
  const lock = await acquireMigrationLock(db, opts);
  try {
    const t = await readTracking(db);
    if (!t.exists) return { items: [], dryRun: false };
    await ensureTracking(db);
    return await applyPlan(db, migs, check(await readTracking(db)), opts);
  } finally {
    await lock.release();
  }
}

/** Accept changed files (and the guide's placeholder checksums) as they are now. */
export async function sqlRepair(db: SqlDatabase, migs: SqlMigration[], opts: EngineOptions & { dryRun?: boolean }): Promise<{ accepted: { file: string; from: string | null; to: string }[]; dryRun: boolean }> {
  const run = async () => {
    const t = await readTracking(db);
    const latest = latestRows(t.rows);
    const accepted: { file: string; from: string | null; to: string; id: number }[] = [];
    for (const m of migs) {
      const r = latest.get(keyOf(m));
      if (!r || !isApplied(r)) continue;
      if (r.checksum?.toLowerCase() !== m.checksum || !r.checksum_algorithm) accepted.push({ file: m.file, from: r.checksum, to: m.checksum, id: r.id });
    }
    return { t, accepted };
  };
  if (opts.dryRun) return { accepted: (await run()).accepted.map(({ id: _id, ...a }) => a), dryRun: true };
  const lock = await acquireMigrationLock(db, opts);
  try {
    const { t, accepted } = await run();
    if (t.exists) await ensureTracking(db);
    await db.transaction(async (s) => {
      for (const a of accepted) {
        await s.query(`UPDATE migrations SET checksum = $2, checksum_algorithm = $3, adopted = adopted OR $4, updated_at = now() WHERE id = $1`, [a.id, a.to, CHECKSUM_ALGORITHM, !isRealChecksum(a.from)]);
      }
    });
    return { accepted: accepted.map(({ id: _id, ...a }) => a), dryRun: false };
  } finally {
    await lock.release();
  }
}

/** Record every migration up to `version` as applied without running it (a database made another way). */
export async function sqlBaseline(db: SqlDatabase, migs: SqlMigration[], opts: EngineOptions & { version: string; dryRun?: boolean }): Promise<RunReport> {
  const plan = (t: TrackingInfo): PlanItem[] => {
    const latest = latestRows(t.rows);
    const items: PlanItem[] = [];
    for (const m of migs) {
      if (!withinTarget(m.version, opts.version)) continue;
      const r = latest.get(keyOf(m));
      if (isApplied(r)) continue;
      if (r && (r.status === 'failed' || r.status === 'running' || r.status === 'rolling_back') && (r.step ?? 0) > 0) {
        throw preconditionError(`${m.file} is partly ${r.direction === 'down' ? 'rolled back' : 'applied'} (${r.status})`, { hint: 'finish it with mcp db migrate or undo it with mcp db rollback before baselining' });
      }
      items.push({ action: 'baseline', ...ident(m), fromStep: 0, steps: [] });
    }
    return items;
  };
  if (!migs.some((m) => withinTarget(m.version, opts.version))) {
    throw preconditionError(`no migration has a version at or before ${opts.version}`, { hint: `versions here: ${[...new Set(migs.map((m) => m.version))].join(', ')}` });
  }
  if (opts.dryRun) return { items: plan(await readTracking(db)).map((i) => ({ ...i, ok: true })), dryRun: true };
  const lock = await acquireMigrationLock(db, opts);
  try {
    await ensureTracking(db);
    return await applyPlan(db, migs, plan(await readTracking(db)), opts);
  } finally {
    await lock.release();
  }
}

export interface ReindexReport {
  tables: { table: string; durationMs: number }[];
  invalidBefore: string[];
  dryRun: boolean;
}

/** Rebuild the indexes of the platform's tables (CONCURRENTLY on PostgreSQL: no write lock), fixing invalid ones. */
export async function sqlReindex(db: SqlDatabase, tables: readonly string[], opts: EngineOptions & { dryRun?: boolean }): Promise<ReindexReport> {
  const present = (
    await db.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name = ANY($1::text[])`, [[...tables]])
  ).rows.map((r) => r.table_name);
  const invalid = (
    await db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE NOT i.indisvalid AND c.relnamespace = current_schema()::regnamespace`,
    )
  ).rows.map((r) => r.name);
  const ordered = tables.filter((t) => present.includes(t));
  if (opts.dryRun) return { tables: ordered.map((t) => ({ table: t, durationMs: 0 })), invalidBefore: invalid, dryRun: true };
  const lock = await acquireMigrationLock(db, opts);
  try {
    const out: ReindexReport['tables'] = [];
    for (const t of ordered) {
      const started = Date.now();
      opts.progress(`reindexing ${t}`);
      await db.exec(`REINDEX TABLE CONCURRENTLY ${t}`);
      out.push({ table: t, durationMs: Date.now() - started });
    }
    return { tables: out, invalidBefore: invalid, dryRun: false };
  } finally {
    await lock.release();
  }
}

export { orderOf };
