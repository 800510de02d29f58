// Planning for the SQL migration engine, with no side effects: the status report, what migrate / rollback /
// baseline would do against a tracking table and the layout the database really holds, and the context a
// platform migration is expanded with (its variant and the v4 table's name). sql-engine.ts runs the plans;
// the MongoDB engine shares the status and the plans (without layouts).
import { integrityError, preconditionError } from '../errors.js';
import { isRealChecksum, variantOf, withinTarget, expandTemplate, DEFAULT_VARIANT, type SqlMigration, type Step, type TemplateVars } from './sqlfile.js';
import { isApplied, latestRows, type TrackingInfo, type TrackingRow } from './tracking.js';
import { LAYOUT_RANK, legacyVars, parseLegacyTable, type LayoutReport, type LegacyTable } from './layouts.js';

export type MigrationState = 'applied' | 'baselined' | 'pending' | 'failed' | 'running' | 'rolling_back' | 'rolled_back';

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
  /** the variant it ran as, when not the default (e.g. guide) */
  variant?: string;
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

export const keyOf = (m: { version: string; name: string }) => `${m.version}|${m.name}`;
const iso = (d: Date | string | null | undefined) => (d == null ? undefined : d instanceof Date ? d.toISOString() : String(d));

function stateOf(r: TrackingRow | undefined): MigrationState {
  switch (r?.status) {
    case 'completed':
      return 'applied';
    case 'baselined':
    case 'failed':
    case 'running':
    case 'rolling_back':
    case 'rolled_back':
      return r.status;
    default:
      return 'pending';
  }
}

const inProgress = (r: TrackingRow | undefined) => !!r && (r.status === 'failed' || r.status === 'running' || r.status === 'rolling_back');

export function buildStatus(db: { display: string; kind: string }, migs: SqlMigration[], t: TrackingInfo): StatusReport {
  const latest = latestRows(t.rows);
  const files = new Set(migs.map(keyOf));
  const migrations: MigrationStatus[] = migs.map((m) => {
    const r = latest.get(keyOf(m));
    const state = stateOf(r);
    const placeholder = !!r && isApplied(r) && !isRealChecksum(r.checksum);
    const drifted = !!r && isApplied(r) && !placeholder && r.checksum!.toLowerCase() !== m.checksum;
    const dir = (r?.direction ?? undefined) as 'up' | 'down' | undefined;
    const variant = paramsOf(r).variant;
    const v = variantOf(m, variant);
    const partial = state === 'failed' || state === 'running' || state === 'rolling_back';
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
      direction: partial ? (dir ?? 'up') : undefined,
      stepsDone: partial ? (r?.step ?? 0) : undefined,
      steps: (dir === 'down' ? v.down : v.up).length,
      rowsDone: r?.rows_done != null && Number(r.rows_done) > 0 ? Number(r.rows_done) : undefined,
      variant: variant && variant !== DEFAULT_VARIANT ? variant : undefined,
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

// ---------------------------------------------------------------------------------------------- context

/** What a run recorded about the database in its tracking rows (the `params` column). */
export interface RunParams {
  variant?: string;
  legacyTable?: string;
}

export function paramsOf(r: TrackingRow | undefined): RunParams {
  const p = r?.params;
  if (!p) return {};
  const o = typeof p === 'string' ? (JSON.parse(p) as RunParams) : (p as RunParams);
  return { variant: typeof o.variant === 'string' ? o.variant : undefined, legacyTable: typeof o.legacyTable === 'string' ? o.legacyTable : undefined };
}

/**
 * Which v4 table the database's migrations work on: the one an earlier run recorded (a rollback must
 * rebuild the table the data came from, whatever the config says now), else the configured one.
 */
export function recordedLegacyTable(t: TrackingInfo, configured: LegacyTable | undefined): LegacyTable {
  for (const r of t.rows) {
    const p = paramsOf(r);
    if (p.legacyTable) return parseLegacyTable(p.legacyTable, 'the tracking table');
  }
  return configured ?? parseLegacyTable(undefined);
}

export interface DbContext {
  /** the layout family the database started from: v4 (the platform's single table) or guide */
  variant: string;
  legacyTable: LegacyTable;
  layout: LayoutReport;
  /** the migrations declare layouts (the platform's own): layouts are checked and records compared */
  own: boolean;
}

export function contextFor(migs: SqlMigration[], t: TrackingInfo, layout: LayoutReport, legacyTable: LegacyTable): DbContext {
  let variant: string | undefined;
  for (const r of t.rows) variant ??= paramsOf(r).variant;
  return { variant: variant ?? (layout.layout === 'guide' ? 'guide' : DEFAULT_VARIANT), legacyTable, layout, own: migs.some((m) => m.layout) };
}

/** The template variables of one migration in this context ({{records}}: its own records section). */
export function varsFor(m: SqlMigration, ctx: DbContext | undefined): TemplateVars {
  const base: TemplateVars = legacyVars(ctx?.legacyTable ?? parseLegacyTable(undefined));
  const rec = variantOf(m, ctx?.variant).records;
  return rec ? { ...base, records: expandTemplate(rec.sql, base) } : base;
}

/**
 * The records SELECT for a state of the database: the records section of the newest migration at or before
 * `upTo` (an index into migs) whose declared layout is present — by the layout found (own migrations) or by
 * the tracking table (others). Undefined: nothing to read (an empty database).
 */
export function recordsFor(migs: SqlMigration[], ctx: DbContext, opts: { upTo?: number; rank?: number; applied?: Set<string> } = {}): string | undefined {
  const last = opts.upTo ?? migs.length - 1;
  for (let i = last; i >= 0; i--) {
    const m = migs[i]!;
    const rec = variantOf(m, ctx.variant).records;
    if (!rec) continue;
    if (ctx.own && opts.rank !== undefined && (LAYOUT_RANK[m.layout ?? ''] ?? 0) > opts.rank) continue;
    if (!ctx.own && opts.applied && !opts.applied.has(keyOf(m))) continue;
    return expandTemplate(rec.sql, legacyVars(ctx.legacyTable));
  }
  return undefined;
}

/** The records of the database as it is (its layout, or the applied migrations). */
export function currentRecords(migs: SqlMigration[], t: TrackingInfo, ctx: DbContext): string | undefined {
  const rank = LAYOUT_RANK[ctx.layout.layout];
  if (ctx.own && rank === undefined) return undefined;
  const latest = latestRows(t.rows);
  const applied = new Set(migs.filter((m) => isApplied(latest.get(keyOf(m)))).map(keyOf));
  return recordsFor(migs, ctx, { rank, applied });
}

const describeLayout = (l: LayoutReport) =>
  `${l.layout === 'none' ? 'no platform tables' : l.layout === 'guide' ? "the guide's layout (a services table with a config column)" : l.layout === 'partial' ? 'a partly migrated layout' : l.layout === 'unknown' ? 'tables that match no platform layout' : `the ${l.layout} layout`}${l.tables.length ? ` (${l.tables.join(', ')})` : ''}`;

/**
 * Does the database hold what its tracking table says? Checked before anything is recorded: a layout
 * that matches nothing, a tracking table ahead of the tables (or behind them, unless rows were written by
 * hand, whose earlier files are then baselined or applied), a v4 table and the guide's layout mixed up.
 */
export function checkLayout(migs: SqlMigration[], t: TrackingInfo, ctx: DbContext): void {
  if (!ctx.own) return;
  const l = ctx.layout;
  const latest = latestRows(t.rows);
  const details = { layout: l.layout, tables: l.tables, problems: l.problems, legacyTable: l.legacyTable };
  if (l.layout === 'unknown') {
    throw preconditionError(`the database holds ${describeLayout(l)}: ${l.problems.join('; ')}`, {
      hint: `expected the v4 table ${l.legacyTable} (id, kind, name, data jsonb, created_at, updated_at; database.table in the config names it), the guide's services table, or the v5/v6 tables; nothing was changed`,
      details,
      exposeDetails: true,
    });
  }
  if (migs.some((m) => inProgress(latest.get(keyOf(m))))) return; // a run in progress: any state between two layouts is expected
  let expected = 0;
  let expectedName = 'none';
  let handMade = false;
  migs.forEach((m) => {
    const r = latest.get(keyOf(m));
    if (!isApplied(r)) return;
    handMade = !r!.checksum_algorithm;
    const rank = LAYOUT_RANK[m.layout ?? ''];
    if (rank !== undefined && rank >= expected) {
      expected = rank;
      expectedName = rank === 1 && ctx.variant === 'guide' ? 'guide' : m.layout!;
    }
  });
  const found = LAYOUT_RANK[l.layout];
  if (l.layout === 'partial') {
    throw preconditionError(`the database holds ${describeLayout(l)} (${l.problems.join('; ')}), but no migration is recorded as running`, {
      hint: 'restore the database from the backup taken before the migration (mcp backup restore --id ID --data-only), or compare it by hand; nothing was changed',
      details,
      exposeDetails: true,
    });
  }
  const fileOf = (name: string) => migs.filter((m) => m.layout === (name === 'guide' ? 'v4' : name)).map((m) => m.file).join(', ') || name;
  if (found! < expected || (found === expected && expected === 1 && l.layout !== expectedName)) {
    throw preconditionError(`the tracking table says ${fileOf(expectedName)} is applied, but the database holds ${describeLayout(l)}`, {
      hint: 'the tables were changed by hand or restored from an older backup; restore the backup that matches, or record what is really there with mcp db baseline --version V; nothing was changed',
      details,
      exposeDetails: true,
    });
  }
  // with nothing applied, a database may start from the v4 table or the guide's layout
  if (found! > Math.max(expected, 1) && !handMade) {
    const v = l.layout === 'v6' ? '6.0' : l.layout === 'v5' ? '5.0' : '4.2';
    throw preconditionError(`the database already holds ${describeLayout(l)}, but ${expected ? `the tracking table records only up to ${fileOf(expectedName)}` : 'no migration is recorded'}`, {
      hint: `if these tables are the platform's, record them without running anything: mcp db baseline --version ${v}; nothing was changed`,
      details,
      exposeDetails: true,
    });
  }
}

// ---------------------------------------------------------------------------------------------- plans

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
  /** the variant it runs as (recorded in its tracking row) */
  variant?: string;
}

const planned = (steps: Step[], from: number, vars: TemplateVars): PlannedStep[] =>
  steps.slice(from).map((s) => ({ kind: s.kind, statements: s.statements.map((x) => expandTemplate(x.sql, vars)), size: s.size }));

const ident = (m: SqlMigration) => ({ version: m.version, seq: m.seq, name: m.name, file: m.file });

/** What migrate would do against this state; throws exit 5 on drift and exit 3 on out-of-order files or a layout that does not fit. */
export function planMigrate(migs: SqlMigration[], t: TrackingInfo, opts: { target?: string; allowOutOfOrder?: boolean; context?: DbContext }): PlanItem[] {
  const ctx = opts.context;
  if (ctx) checkLayout(migs, t, ctx);
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
  const variant = ctx?.variant;
  const foundRank = ctx ? LAYOUT_RANK[ctx.layout.layout] : undefined;
  migs.forEach((m, i) => {
    const r = latest.get(keyOf(m));
    const inTarget = !opts.target || withinTarget(m.version, opts.target);
    const v = variantOf(m, paramsOf(r).variant ?? variant);
    const vars = varsFor(m, ctx);
    if (isApplied(r)) {
      if (!isRealChecksum(r!.checksum) || !r!.checksum_algorithm) {
        items.push({ action: 'adopt', ...ident(m), fromStep: 0, steps: [], note: isRealChecksum(r!.checksum) ? 'applied by hand; record the checksum algorithm' : `applied by hand with placeholder checksum '${r!.checksum ?? ''}'; record the file's checksum` });
        if (isRealChecksum(r!.checksum) && r!.checksum!.toLowerCase() !== m.checksum) drifted.push(m.file);
      } else if (r!.checksum!.toLowerCase() !== m.checksum) drifted.push(m.file);
      return;
    }
    if (r && inProgress(r) && r.direction === 'down') {
      throw preconditionError(`${m.file} was being rolled back when that run ${r.status === 'failed' ? 'failed' : 'stopped'}${r.error ? `: ${r.error}` : ''}`, {
        hint: `finish the rollback first: mcp db rollback --to <a version before ${m.version}>`,
      });
    }
    if (!inTarget) return;
    if (r && (r.status === 'failed' || r.status === 'running')) {
      const from = r.step ?? 0;
      if (r.checksum && r.checksum.toLowerCase() !== m.checksum && from > 0) {
        throw integrityError(`${m.file} changed after a partial run (${from} of ${v.up.length} steps were committed)`, {
          where: m.path,
          hint: `restore the file as it was, or undo the partial run with mcp db rollback --to <a version before ${m.version}>`,
        });
      }
      const variantNow = paramsOf(r).variant ?? variant;
      items.push({ action: 'resume', ...ident(m), fromStep: from, steps: planned(v.up, from, vars), variant: variantNow, note: `resuming after ${r.status === 'failed' ? `a failure${r.error ? ` (${r.error})` : ''}` : 'an interrupted run'} at step ${from + 1} of ${v.up.length}${r.batch_cursor ? `, batch after key ${r.batch_cursor}` : ''}` });
      return;
    }
    if (i < lastApplied) {
      if (lastIsHandMade) {
        // rows written by hand from the guide: an earlier file whose tables are there is baselined;
        // one whose tables are not is applied now (the guide's layout gets its missing v5 tables)
        const absent = ctx?.own && m.layout && foundRank !== undefined && (LAYOUT_RANK[m.layout] ?? 0) > foundRank;
        if (!absent) {
          items.push({ action: 'baseline', ...ident(m), fromStep: 0, steps: [], variant, note: `before ${migs[lastApplied]!.file}, which was applied by hand: recorded as baselined, not run` });
          return;
        }
        if (variant !== 'guide') {
          throw preconditionError(`the tracking table says ${migs[lastApplied]!.file} is applied (by hand), but ${m.file}, which it builds on, is not in the database (${describeLayout(ctx!.layout)})`, {
            hint: 'correct the tracking table (delete the row written by hand), then run mcp db migrate again; nothing was changed',
          });
        }
        items.push({ action: 'apply', ...ident(m), fromStep: 0, steps: planned(v.up, 0, vars), variant, note: `the guide's layout has no ${m.layout} tables yet: applied before ${migs[lastApplied]!.file}, which was applied by hand` });
        return;
      }
      if (!opts.allowOutOfOrder) outOfOrder.push(m.file);
    }
    items.push({ action: 'apply', ...ident(m), fromStep: 0, steps: planned(v.up, 0, vars), variant });
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

/**
 * Rollback to `to`: every migration applied (or partly applied) beyond it, newest first. A migration that
 * was baselined (recorded, never run here) is refused: its down section would undo what another tool made.
 */
export function planRollback(migs: SqlMigration[], t: TrackingInfo, to: string, context?: DbContext): PlanItem[] {
  if (context) checkLayout(migs, t, context);
  const latest = latestRows(t.rows);
  const items: PlanItem[] = [];
  const baselined: string[] = [];
  for (const m of [...migs].reverse()) {
    if (withinTarget(m.version, to)) continue;
    const r = latest.get(keyOf(m));
    if (!r || r.status === 'rolled_back' || r.status === 'pending' || r.status == null) continue;
    const variant = paramsOf(r).variant ?? context?.variant;
    const v = variantOf(m, variant);
    const vars = varsFor(m, context);
    if (r.status === 'baselined') {
      baselined.push(m.file);
      continue;
    }
    if ((r.status === 'failed' || r.status === 'running') && (r.direction ?? 'up') === 'up' && (r.step ?? 0) === 0) {
      items.push({ action: 'rollback', ...ident(m), fromStep: v.down.length, steps: [], variant, note: 'nothing of it was committed: marked rolled back' });
      continue;
    }
    const resumingDown = r.direction === 'down' && r.status !== 'completed';
    const from = resumingDown ? (r.step ?? 0) : 0;
    items.push({
      action: 'rollback',
      ...ident(m),
      fromStep: from,
      steps: planned(v.down, from, vars),
      variant,
      note: resumingDown ? `resuming the rollback at step ${from + 1} of ${v.down.length}` : r.status === 'failed' || r.status === 'running' ? `partly applied (${r.step} of ${v.up.length} steps)` : undefined,
    });
  }
  if (baselined.length) {
    throw preconditionError(`${baselined.join(', ')} ${baselined.length > 1 ? 'were' : 'was'} baselined (recorded as applied, never run here): ${baselined.length > 1 ? 'their' : 'its'} down section would undo what was made another way`, {
      hint: 'restore the backup taken before (mcp backup restore --id ID --data-only), or undo it by hand and mark the row rolled_back; nothing was changed',
    });
  }
  return items;
}

/** Record every migration up to `version` as applied without running it — only what the database really holds. */
export function planBaseline(migs: SqlMigration[], t: TrackingInfo, version: string, context?: DbContext): PlanItem[] {
  const latest = latestRows(t.rows);
  const items: PlanItem[] = [];
  const foundRank = context ? LAYOUT_RANK[context.layout.layout] : undefined;
  for (const m of migs) {
    if (!withinTarget(m.version, version)) continue;
    const r = latest.get(keyOf(m));
    if (isApplied(r)) continue;
    if (r && inProgress(r) && (r.step ?? 0) > 0) {
      throw preconditionError(`${m.file} is partly ${r.direction === 'down' ? 'rolled back' : 'applied'} (${r.status})`, { hint: 'finish it with mcp db migrate or undo it with mcp db rollback before baselining' });
    }
    if (context?.own && m.layout && (foundRank === undefined || (LAYOUT_RANK[m.layout] ?? 0) > foundRank)) {
      throw preconditionError(`${m.file} is not in the database: it leaves the ${m.layout} layout, the database holds ${describeLayout(context.layout)}`, {
        hint: `baseline records only what is there; apply it with mcp db migrate --version ${m.version}; nothing was changed`,
        details: { layout: context.layout.layout, tables: context.layout.tables, problems: context.layout.problems },
        exposeDetails: true,
      });
    }
    items.push({ action: 'baseline', ...ident(m), fromStep: 0, steps: [], variant: context?.variant });
  }
  return items;
}
