// The migration engine for PostgreSQL and PGlite: lock, read the state under the lock (tracking table and the
// layout the tables really have), plan (sql-plan.ts), snapshot every record's content, run each migration step
// by step with its progress in the tracking table, prove the content unchanged, and leave a precise status
// when something fails. Dry-run is the same planner; it just prints the steps instead of running them.
import { hostname, userInfo } from 'node:os';
import { McpError, failedError, preconditionError } from '../errors.js';
import { redactText } from '../redact.js';
import { packageVersion } from '../paths.js';
import type { SqlDatabase, SqlSession } from './types.js';
import { CHECKSUM_ALGORITHM, expandTemplate, isRealChecksum, orderOf, stripLeadingComments, variantOf, withinTarget, type SqlMigration, type Step, type TemplateVars } from './sqlfile.js';
import { ensureTracking, isApplied, latestRows, readTracking, type TrackingInfo, type TrackingRow } from './tracking.js';
import { inspectLayout, type LegacyTable } from './layouts.js';
import { acquireMigrationLock, LostConnection, type HeldLock } from './sql-lock.js';

export { ADVISORY_LOCK_KEY, acquireMigrationLock, type HeldLock } from './sql-lock.js';
import { captureBaseline, compareContent, describeContent, readBaselineMeta, type ContentReport } from './content.js';
import {
  buildStatus,
  contextFor,
  currentRecords,
  keyOf,
  planBaseline,
  planMigrate,
  planRollback,
  recordedLegacyTable,
  recordsFor,
  varsFor,
  type DbContext,
  type PlanItem,
  type StatusReport,
} from './sql-plan.js';

export { buildStatus, planMigrate, planRollback };
export type { Action, MigrationState, MigrationStatus, PlanItem, PlannedStep, StatusReport } from './sql-plan.js';


export interface EngineOptions {
  lockTimeoutMs: number;
  progress: (msg: string) => void;
  signal?: AbortSignal;
  command?: string;
  /** the v4 table, as the config names it (database.table / legacyTable); a name recorded by an earlier run wins */
  legacyTable?: LegacyTable;
}

export const appliedBy = () => `${safeUser()}@${hostname()} (mcp ${packageVersion}, pid ${process.pid})`.slice(0, 255);
function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** The tracking table and what the tables really hold, read together. */
async function stateOf(db: SqlDatabase, migs: SqlMigration[], opts: Pick<EngineOptions, 'legacyTable'>): Promise<{ t: TrackingInfo; ctx: DbContext }> {
  const t = await readTracking(db);
  const legacy = recordedLegacyTable(t, opts.legacyTable ?? db.legacyTable);
  const layout = await inspectLayout(db, { legacyTable: legacy });
  return { t, ctx: contextFor(migs, t, layout, legacy) };
}

export interface SqlStatusReport extends StatusReport {
  /** the layout the tables have (none, v4, guide, v5, v6, partial, unknown) */
  layout: DbContext['layout']['layout'];
  /** the v4 table's name, the platform tables found, what does not match */
  layoutDetails: Omit<DbContext['layout'], 'layout'>;
}

export async function sqlStatus(db: SqlDatabase, migs: SqlMigration[], opts: Pick<EngineOptions, 'legacyTable'> = {}): Promise<SqlStatusReport> {
  const { t, ctx } = await stateOf(db, migs, opts);
  const { layout, ...layoutDetails } = ctx.layout;
  return { ...buildStatus(db, migs, t), layout, layoutDetails };
}

// ---------------------------------------------------------------------------------------------- running

export interface RunReport {
  items: (PlanItem & { ok: boolean; durationMs?: number; rows?: number })[];
  dryRun: boolean;
  /** every record compared with the snapshot taken before the run (absent: nothing to compare, e.g. a dry run) */
  content?: ContentReport;
}

class StepFailure extends Error {
  /** the driver's SQLSTATE, kept to tell a lost connection from a failing statement */
  readonly code?: string;
  constructor(
    message: string,
    readonly statement: string,
    readonly line?: number,
    cause?: unknown,
  ) {
    super(message);
    this.code = (cause as { code?: string } | undefined)?.code;
  }
}


// pg: 57P01 admin shutdown / terminated backend, 57P02/57P03 crash / cannot connect now, 08xxx connection exceptions
const isConnectionLoss = (e: unknown): boolean => {
  const err = e as { code?: string; message?: string };
  return (
    e instanceof LostConnection ||
    /^(57P0[123]|08)/.test(err?.code ?? '') ||
    /Connection terminated|terminating connection|connection (was )?(lost|closed)|server closed the connection|ECONNRESET|ECONNREFUSED|EPIPE|Client has encountered a connection error/i.test(err?.message ?? '')
  );
};

/** A check section found rows (problems) or a verify step found differences: nothing is wrong with the run itself. */
class Refusal extends Error {
  constructor(
    message: string,
    readonly problems: string[],
    readonly hint: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

async function rowFor(s: SqlSession, m: SqlMigration): Promise<TrackingRow | undefined> {
  const r = await s.query<TrackingRow>(`SELECT * FROM migrations WHERE version = $1 AND name = $2 ORDER BY id DESC LIMIT 1`, [m.version, m.name]);
  return r.rows[0];
}

function paramsJson(it: PlanItem, ctx: DbContext | undefined): string | null {
  if (!ctx?.own) return null;
  return JSON.stringify({ variant: it.variant ?? ctx.variant, legacyTable: ctx.legacyTable.raw });
}

async function startRow(db: SqlDatabase, m: SqlMigration, it: PlanItem, ctx: DbContext | undefined, direction: 'up' | 'down', keepProgress: boolean): Promise<TrackingRow> {
  const existing = await rowFor(db, m);
  const status = direction === 'up' ? 'running' : 'rolling_back';
  const params = paramsJson(it, ctx);
  if (existing) {
    const r = await db.query<TrackingRow>(
      `UPDATE migrations SET status = $2, direction = $3, seq = $4, file = $5, checksum = $6, checksum_algorithm = $7, applied_by = $8,
              error = NULL, failed_statement = NULL, updated_at = now(), params = COALESCE(params, $9::jsonb)
              ${keepProgress ? '' : ', step = 0, batch_cursor = NULL, rows_done = 0'}
        WHERE id = $1 RETURNING *`,
      [existing.id, status, direction, m.seq, m.file, m.checksum, CHECKSUM_ALGORITHM, appliedBy(), params],
    );
    return r.rows[0]!;
  }
  const r = await db.query<TrackingRow>(
    `INSERT INTO migrations (version, name, seq, file, checksum, checksum_algorithm, status, direction, applied_by, step, rows_done, updated_at, params)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 0, now(), $10::jsonb) RETURNING *`,
    [m.version, m.name, m.seq, m.file, m.checksum, CHECKSUM_ALGORITHM, status, direction, appliedBy(), params],
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

interface RunEnv {
  migs: SqlMigration[];
  ctx?: DbContext;
  lock: HeldLock;
  opts: EngineOptions;
}

/** A check section's SELECTs: each row is a problem; any problem refuses the migration at that step. */
async function runCheck(db: SqlDatabase, m: SqlMigration, step: Step, vars: TemplateVars, dir: 'up' | 'down' = 'up'): Promise<void> {
  const problems: string[] = [];
  for (const st of step.statements) {
    let r;
    try {
      r = await db.query<Record<string, unknown>>(expandTemplate(st.sql, vars));
    } catch (e) {
      throw new StepFailure((e as Error).message, st.sql, st.line, e);
    }
    for (const row of r.rows) problems.push(String(Object.values(row)[0]));
  }
  if (problems.length) {
    throw new Refusal(
      `${m.file}: the database cannot be ${dir === 'up' ? 'migrated' : 'rolled back'} as it is: ${problems.join('; ')}`,
      problems,
      dir === 'up' ? 'fix what is listed (the rows are named), then run the command again; nothing was changed' : `fix what is listed, then run the rollback again; ${m.file} and what comes before it were left as they are`,
    );
  }
}

/** A verify step: every record of the layout this step leaves equals the snapshot taken before the run. */
async function runVerify(db: SqlDatabase, m: SqlMigration, dir: 'up' | 'down', env: RunEnv): Promise<ContentReport> {
  const idx = env.migs.indexOf(m);
  if (!env.ctx) throw new Error(`${m.file}: a verify step runs only inside a migrate or rollback run`);
  const records = recordsFor(env.migs, env.ctx, { upTo: dir === 'up' ? idx : idx - 1 });
  const report = await compareContent(db, records);
  if (!report) {
    throw new Refusal(`${m.file}: there is no snapshot of the records to compare with`, [], 'the snapshot is taken when a migrate or rollback starts; roll back and run again');
  }
  if (!report.ok) {
    throw new Refusal(`${m.file}: the records differ from before the run: ${describeContent(report)}`, [], dir === 'up' ? `nothing was dropped yet: mcp db rollback --to <the version before ${m.version}> puts the database back` : 'the rollback stopped before dropping anything: run mcp db migrate to go forward again, or restore the backup taken before', { content: report });
  }
  env.opts.progress(`  ${m.file}: ${report.records} records compared with the snapshot: identical`);
  return report;
}

async function runSteps(db: SqlDatabase, m: SqlMigration, row: TrackingRow, steps: Step[], from: number, vars: TemplateVars, dir: 'up' | 'down', env: RunEnv): Promise<number> {
  const { opts } = env;
  let rows = Number(row.rows_done ?? 0);
  const setStep = (s: SqlSession, i: number) => s.query(`UPDATE migrations SET step = $2, batch_cursor = NULL, updated_at = now() WHERE id = $1`, [row.id, i]);
  for (let i = from; i < steps.length; i++) {
    if (opts.signal?.aborted) throw new McpError('interrupted', 'interrupted', `interrupted before step ${i + 1} of ${m.file}; run the command again to resume`);
    env.lock.check();
    const step = steps[i]!;
    if (step.kind === 'check') {
      await runCheck(db, m, step, vars, dir);
      await setStep(db, i + 1);
    } else if (step.kind === 'verify') {
      await runVerify(db, m, dir, env);
      await setStep(db, i + 1);
    } else if (step.kind === 'tx') {
      let current = step.statements[0]!;
      try {
        await db.transaction(async (s) => {
          for (const st of step.statements) {
            current = st;
            await s.exec(expandTemplate(st.sql, vars));
          }
          await setStep(s, i + 1);
        });
      } catch (e) {
        throw new StepFailure((e as Error).message, current.sql, current.line, e);
      }
    } else if (step.kind === 'notx') {
      const st = step.statements[0]!;
      const sql = expandTemplate(st.sql, vars);
      const idx = sql.match(INDEX_RE)?.[1];
      try {
        if (idx) {
          // a previous attempt that died left an invalid index behind: IF NOT EXISTS would keep it
          if ((await indexValidity(db, idx)) === false) {
            opts.progress(`  dropping the invalid index ${idx} left by an earlier attempt`);
            await db.exec(`DROP INDEX CONCURRENTLY IF EXISTS ${idx}`);
          }
        }
        opts.progress(`  ${m.file}: ${sql.split('\n')[0]!.slice(0, 100)} (outside a transaction)`);
        await db.exec(sql);
      } catch (e) {
        throw new StepFailure((e as Error).message, st.sql, st.line, e);
      }
      if (idx && (await indexValidity(db, idx)) !== true) {
        throw new StepFailure(`index ${idx} is not valid after CREATE INDEX CONCURRENTLY (indisvalid = false)`, st.sql, st.line);
      }
      await setStep(db, i + 1);
    } else {
      const st = step.statements[0]!;
      const sql = expandTemplate(st.sql, vars);
      let cursor: string | null = i === from ? (row.batch_cursor ?? null) : null;
      for (;;) {
        if (opts.signal?.aborted) throw new McpError('interrupted', 'interrupted', `interrupted in ${m.file} after key ${cursor}; run the command again to resume from there`);
        env.lock.check();
        let n = 0;
        try {
          await db.transaction(async (s) => {
            const r = await s.query<{ last: unknown; n: number | string }>(sql, [cursor, step.size]);
            const out = r.rows[0];
            if (!out || !('n' in out) || !('last' in out)) throw new Error('a batch statement must return one row with columns last and n');
            n = Number(out.n);
            if (n > 0) {
              cursor = String(out.last);
              await s.query(`UPDATE migrations SET batch_cursor = $2, rows_done = rows_done + $3, updated_at = now() WHERE id = $1`, [row.id, cursor, n]);
            }
          });
        } catch (e) {
          throw new StepFailure((e as Error).message, st.sql, st.line, e);
        }
        if (n === 0) break;
        rows += n;
        opts.progress(`  ${m.file}: ${rows} rows (batch up to key ${cursor})`);
      }
      await setStep(db, i + 1);
    }
  }
  return rows;
}

/** Record the failure on the tracking row; a lost connection gets a few tries on a new one (the pool reconnects). */
async function recordFailure(db: SqlDatabase, row: TrackingRow, e: unknown, started: number): Promise<void> {
  const msg = redactText(e instanceof McpError && e.kind === 'interrupted' ? 'interrupted' : ((e as Error).message ?? String(e)));
  const stmt = e instanceof StepFailure ? stripLeadingComments(e.statement) : null;
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      await db.query(`UPDATE migrations SET status = 'failed', error = $2, failed_statement = $3, duration_ms = $4, updated_at = now() WHERE id = $1`, [row.id, msg.slice(0, 4000), stmt?.slice(0, 4000) ?? null, Date.now() - started]);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
    }
  }
}

function failure(m: SqlMigration, e: unknown, verb: string, step: number): McpError {
  if (e instanceof McpError) return e;
  if (e instanceof Refusal) {
    return new McpError('precondition', e.details ? 'verification' : 'precondition', e.message, { hint: e.hint, details: e.details ?? (e.problems.length ? { problems: e.problems } : undefined), exposeDetails: true });
  }
  const f = e instanceof StepFailure ? e : undefined;
  const cause = redactText((e as Error).message);
  if (isConnectionLoss(e)) {
    return failedError(`${m.file}: the connection to the database was lost while ${verb} (step ${step + 1}): ${cause}`, {
      where: f?.line ? `${m.path}:${f.line}` : m.path,
      hint: `run the command again when the database is reachable: it resumes after the last committed step or batch (mcp db status shows where)`,
      details: f ? { statement: f.statement } : undefined,
    });
  }
  return failedError(`${m.file} failed while ${verb}: ${cause}`, {
    where: f?.line ? `${m.path}:${f.line}` : m.path,
    hint: verb === 'rolling back'
      ? 'fix the cause and run the rollback again: it resumes at the failed step (mcp db status shows it)'
      : `fix the cause and run mcp db migrate again (it resumes at the failed step), or undo the partial run with mcp db rollback --to <the version before ${m.version}>`,
    details: f ? { statement: f.statement } : undefined,
  });
}

async function recordBaseline(db: SqlDatabase, m: SqlMigration, it: PlanItem, ctx: DbContext | undefined): Promise<void> {
  const existing = await rowFor(db, m);
  const params = paramsJson(it, ctx);
  if (existing) {
    await db.query(`UPDATE migrations SET status = 'baselined', checksum = $2, checksum_algorithm = $3, adopted = TRUE, seq = $4, file = $5, applied_by = $6, step = 0, error = NULL, failed_statement = NULL, params = COALESCE(params, $7::jsonb), updated_at = now() WHERE id = $1`, [existing.id, m.checksum, CHECKSUM_ALGORITHM, m.seq, m.file, appliedBy(), params]);
  } else {
    await db.query(
      `INSERT INTO migrations (version, name, seq, file, checksum, checksum_algorithm, status, applied_by, adopted, updated_at, params) VALUES ($1, $2, $3, $4, $5, $6, 'baselined', $7, TRUE, now(), $8::jsonb)`,
      [m.version, m.name, m.seq, m.file, m.checksum, CHECKSUM_ALGORITHM, appliedBy(), params],
    );
  }
}

export async function applyPlan(db: SqlDatabase, migs: SqlMigration[], items: PlanItem[], opts: EngineOptions, env: { ctx?: DbContext; lock?: HeldLock; prechecked?: Set<string> } = {}): Promise<RunReport> {
  const byKey = new Map(migs.map((m) => [keyOf(m), m]));
  const run: RunEnv = { migs, ctx: env.ctx, lock: env.lock ?? { release: async () => undefined, check: () => undefined }, opts };
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
      await recordBaseline(db, m, it, env.ctx);
      opts.progress(`baselined ${m.file}${it.note ? ` (${it.note})` : ''}`);
      done.push({ ...it, ok: true });
      continue;
    }
    const up = it.action !== 'rollback';
    const v = variantOf(m, it.variant);
    const steps = up ? v.up : v.down;
    const vars = varsFor(m, env.ctx && { ...env.ctx, variant: it.variant ?? env.ctx.variant });
    let from = it.fromStep;
    // leading checks of a fresh apply change nothing: run them before the tracking row exists (or skip
    // them when runPlanned ran them before anything was written)
    if (from === 0 && (it.action === 'apply' || it.action === 'rollback')) {
      const skip = up && env.prechecked?.has(keyOf(m));
      try {
        while (from < steps.length && steps[from]!.kind === 'check') {
          if (!skip) await runCheck(db, m, steps[from]!, vars, up ? 'up' : 'down');
          from++;
        }
      } catch (e) {
        throw failure(m, e, up ? 'checking' : 'checking the rollback', from);
      }
    }
    opts.progress(`${up ? (it.action === 'resume' ? 'resuming' : 'applying') : 'rolling back'} ${m.file}${it.note ? ` — ${it.note}` : ''}`);
    const row = await startRow(db, m, it, env.ctx, up ? 'up' : 'down', from > 0 || it.action === 'resume');
    if (from > Number(row.step ?? 0)) await db.query(`UPDATE migrations SET step = $2 WHERE id = $1`, [row.id, from]);
    try {
      const rows = await runSteps(db, m, row, steps, from, vars, up ? 'up' : 'down', run);
      const ms = Date.now() - started;
      await db.query(
        `UPDATE migrations SET status = $2, executed_at = ${up ? 'now()' : 'executed_at'}, duration_ms = $3, step = 0, batch_cursor = NULL, error = NULL, failed_statement = NULL, updated_at = now() WHERE id = $1`,
        [row.id, up ? 'completed' : 'rolled_back', ms],
      );
      opts.progress(`✓ ${m.file} ${up ? 'applied' : 'rolled back'} in ${ms} ms${rows ? ` (${rows} rows)` : ''}`);
      done.push({ ...it, ok: true, durationMs: ms, rows: rows || undefined });
    } catch (e) {
      const stepNow = await rowFor(db, m).then((r) => Number(r?.step ?? 0)).catch(() => from);
      await recordFailure(db, row, e, started);
      throw failure(m, e, up ? 'applying' : 'rolling back', stepNow);
    }
  }
  return { items: done, dryRun: false };
}

/**
 * The leading check sections of every migration the plan applies, run before anything is written (the
 * snapshot, the tracking table): a problem in the data stops the whole run with nothing changed. A check
 * that reads a table an earlier migration of the plan creates cannot run yet; it runs at its step.
 */
async function precheck(db: SqlDatabase, migs: SqlMigration[], items: PlanItem[], ctx: DbContext): Promise<Set<string>> {
  const done = new Set<string>();
  for (const it of items) {
    if (it.action !== 'apply') continue;
    const m = migs.find((x) => keyOf(x) === keyOf(it))!;
    const steps = variantOf(m, it.variant).up;
    const vars = varsFor(m, { ...ctx, variant: it.variant ?? ctx.variant });
    let ran = true;
    for (let i = 0; i < steps.length && steps[i]!.kind === 'check'; i++) {
      try {
        await runCheck(db, m, steps[i]!, vars);
      } catch (e) {
        if (e instanceof StepFailure && /does not exist/.test(e.message)) {
          ran = false;
          break;
        }
        throw failure(m, e, 'checking', i);
      }
    }
    if (ran) done.add(keyOf(m));
  }
  return done;
}

const hasRecords = (migs: SqlMigration[]) => migs.some((m) => Object.values(m.variants).some((v) => v.records));
const runs = (items: PlanItem[]) => items.some((i) => i.action === 'apply' || i.action === 'resume' || (i.action === 'rollback' && i.steps.length > 0));

/**
 * Lock, read the state under the lock, plan, snapshot the records (unless a run is being resumed: its
 * snapshot is the one taken when it started), run, and compare every record with the snapshot.
 */
async function runPlanned(db: SqlDatabase, migs: SqlMigration[], opts: EngineOptions, label: string, plan: (t: TrackingInfo, ctx: DbContext) => PlanItem[]): Promise<RunReport> {
  const lock = await acquireMigrationLock(db, opts);
  try {
    const before = await stateOf(db, migs, opts);
    const items = plan(before.t, before.ctx);
    // nothing is recorded (not even the tracking table) before the plan is known to fit the database
    if (items.length === 0) return { items: [], dryRun: false };
    const prechecked = await precheck(db, migs, items, before.ctx);
    await ensureTracking(db);
    const compare = runs(items) && hasRecords(migs);
    if (compare) {
      const resuming = [...latestRows(before.t.rows).values()].some((r) => r.status === 'failed' || r.status === 'running' || r.status === 'rolling_back');
      if (!resuming || !(await readBaselineMeta(db))) {
        opts.progress(`snapshot of every record before ${label}`);
        const meta = await captureBaseline(db, currentRecords(migs, before.t, before.ctx), { label, layout: before.ctx.layout.layout });
        opts.progress(`  ${meta.records} records`);
      }
    }
    const report = await applyPlan(db, migs, items, opts, { ctx: before.ctx, lock, prechecked });
    if (!compare) return report;
    const after = await stateOf(db, migs, opts);
    const content = await compareContent(db, currentRecords(migs, after.t, after.ctx));
    if (content && !content.ok) {
      throw new McpError('precondition', 'verification', `the migrations ran, but the records differ from before: ${describeContent(content)}`, {
        hint: 'the database is at the new version with different content: undo it with mcp db rollback --to <the version before>, or restore the backup taken before',
        details: { content },
        exposeDetails: true,
      });
    }
    if (content) opts.progress(`✓ content: ${describeContent(content)}`);
    return { ...report, content };
  } finally {
    await lock.release();
  }
}

export interface MigrateOptions extends EngineOptions {
  target?: string;
  dryRun?: boolean;
  allowOutOfOrder?: boolean;
}

export async function sqlMigrate(db: SqlDatabase, migs: SqlMigration[], opts: MigrateOptions): Promise<RunReport> {
  const plan = (t: TrackingInfo, ctx: DbContext) => planMigrate(migs, t, { ...opts, context: ctx });
  if (opts.dryRun) {
    const { t, ctx } = await stateOf(db, migs, opts);
    return { items: plan(t, ctx).map((i) => ({ ...i, ok: true })), dryRun: true };
  }
  return runPlanned(db, migs, opts, `${opts.command ?? 'mcp db migrate'}${opts.target ? ` to ${opts.target}` : ''}`, plan);
}

export async function sqlRollback(db: SqlDatabase, migs: SqlMigration[], opts: EngineOptions & { to: string; dryRun?: boolean }): Promise<RunReport> {
  const plan = (t: TrackingInfo, ctx: DbContext) => {
    const items = planRollback(migs, t, opts.to, ctx);
    const missingDown = items.filter((i) => i.steps.length === 0 && i.fromStep === 0 && variantOf(migs.find((m) => keyOf(m) === keyOf(i))!, i.variant).down.length === 0);
    if (missingDown.length) throw preconditionError(`${missingDown.map((i) => i.file).join(', ')} ha${missingDown.length > 1 ? 've' : 's'} no down section`, { hint: 'restore from a backup instead (mcp backup restore --id ID --data-only)' });
    return items;
  };
  if (opts.dryRun) {
    const { t, ctx } = await stateOf(db, migs, opts);
    return { items: plan(t, ctx).map((i) => ({ ...i, ok: true })), dryRun: true };
  }
  return runPlanned(db, migs, opts, `${opts.command ?? 'mcp db rollback'} to ${opts.to}`, plan);
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
  if (!migs.some((m) => withinTarget(m.version, opts.version))) {
    throw preconditionError(`no migration has a version at or before ${opts.version}`, { hint: `versions here: ${[...new Set(migs.map((m) => m.version))].join(', ')}` });
  }
  if (opts.dryRun) {
    const { t, ctx } = await stateOf(db, migs, opts);
    return { items: planBaseline(migs, t, opts.version, ctx).map((i) => ({ ...i, ok: true })), dryRun: true };
  }
  const lock = await acquireMigrationLock(db, opts);
  try {
    const { t, ctx } = await stateOf(db, migs, opts);
    const items = planBaseline(migs, t, opts.version, ctx);
    await ensureTracking(db);
    return await applyPlan(db, migs, items, opts, { ctx, lock });
  } finally {
    await lock.release();
  }
}

/** The content check of `migration verify`: the records as they are now against the newest snapshot. */
export async function sqlContentCheck(db: SqlDatabase, migs: SqlMigration[], opts: Pick<EngineOptions, 'legacyTable'> = {}): Promise<ContentReport | undefined> {
  const { t, ctx } = await stateOf(db, migs, opts);
  return compareContent(db, currentRecords(migs, t, ctx));
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
      await db.exec(`REINDEX TABLE CONCURRENTLY "${t.replace(/"/g, '""')}"`);
      out.push({ table: t, durationMs: Date.now() - started });
    }
    return { tables: out, invalidBefore: invalid, dryRun: false };
  } finally {
    await lock.release();
  }
}

export { orderOf };
