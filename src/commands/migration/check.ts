// `mcp migration check --target-version 6.0.0` and `mcp-migrate check --from 4.0 --to 5.0`: the path,
// each hop's breaking changes (the guide's tables), the migration type with downtime and risk (the
// guide's table), and a downtime estimate from the data size (the guide's estimate_downtime, made sound).
import type { Handler } from '../../cli/program.js';
import type { Ctx } from '../../cli/context.js';
import { ExitCode } from '../../cli/errors.js';
import { findPath, hopOf, loadConfig, resolveSource, resolveTarget, versionDifference, MIGRATION_TYPES, type MigrationType } from '../../config/index.js';
import { KNOWN_VERSIONS, parseVersion, type KnownVersion } from '../../versions.js';
import { measureDataSize, type DataSize } from '../../data/size.js';
import { homeConfigIfAny } from '../config/common.js';
import { parseSize, formatBytes } from '../../ops/disk.js';

/** The guide's base times (seconds) by kind of change; a platform move (Docker → Kubernetes) is also major-sized. */
export const BASE_SECONDS = { patch: 0, minor: 300, major: 1800, platform: 1800 } as const;
/** The guide's data factor: one minute per GiB moved. */
export const SECONDS_PER_GIB = 60;

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s === 0) return 'none';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', r && !h ? `${r}s` : ''].filter(Boolean).join(' ') || '0s';
}

export interface Estimate {
  seconds: number;
  readable: string;
  confidence: 'high' | 'medium' | 'low';
  /** how the figure is made, one line per part */
  parts: Array<{ what: string; seconds: number }>;
}

/**
 * Sound version of the guide's estimate_downtime: every hop counts (a chained 4.2 → 5.0 → 6.0 pays twice),
 * the data factor applies to hops that move data (minor and major; a patch has no downtime at all), the
 * platform move is added when the runtime changes, and the confidence says whether the data was measured.
 */
export function estimateDowntime(hops: Array<{ from: string; to: string; type: 'patch' | 'minor' | 'major' }>, platformMove: boolean, dataBytes: number, measured: 'full' | 'partial' | 'none'): Estimate {
  const gib = dataBytes / 1024 ** 3;
  const parts: Estimate['parts'] = [];
  for (const h of hops) {
    if (h.type === 'patch') continue;
    parts.push({ what: `${h.from} → ${h.to} (${h.type})`, seconds: BASE_SECONDS[h.type] });
    if (gib > 0) parts.push({ what: `${h.from} → ${h.to}: ${gib.toFixed(2)} GiB of data at ${SECONDS_PER_GIB}s/GiB`, seconds: gib * SECONDS_PER_GIB });
  }
  if (platformMove) {
    parts.push({ what: 'Docker → Kubernetes (redeploy, move volumes)', seconds: BASE_SECONDS.platform });
    if (gib > 0) parts.push({ what: `volumes: ${gib.toFixed(2)} GiB at ${SECONDS_PER_GIB}s/GiB`, seconds: gib * SECONDS_PER_GIB });
  }
  const seconds = Math.round(parts.reduce((a, p) => a + p.seconds, 0));
  const allPatch = hops.every((h) => h.type === 'patch') && !platformMove;
  const confidence = allPatch ? 'high' : measured === 'full' ? 'medium' : 'low';
  return { seconds, readable: formatDuration(seconds), confidence, parts };
}

export interface CheckReport {
  /** the one pass/fail word of --json (docs/json.md): a path exists */
  ok: boolean;
  from: string;
  to: string;
  compatible: boolean;
  path: KnownVersion[] | null;
  nearest: KnownVersion[] | null;
  hops: Array<{ from: KnownVersion; to: KnownVersion; type: 'minor' | 'major'; breakingChanges: Array<{ component: string; from: string; to: string; action: string }>; features: string[] }>;
  migrationType: { type: MigrationType; description: string; downtime: string; risk: string; all: MigrationType[] };
  dataSize: DataSize;
  estimate: Estimate | null;
}

const RISK_ORDER = { low: 0, medium: 1, high: 2 } as const;

export async function checkMigration(ctx: Ctx, fromRaw: string, toRaw: string, opts: { docVersion?: string; runtime?: string; dataSize?: string; config?: unknown; measureHome: boolean }): Promise<CheckReport> {
  const from = resolveSource(fromRaw, opts.docVersion, '--from');
  const to = resolveTarget(from, toRaw, '--to');
  const path = findPath(from, to) ?? null;
  let nearest: KnownVersion[] | null = null;
  if (!path) {
    const idx = (v: KnownVersion) => KNOWN_VERSIONS.indexOf(v);
    const reach = KNOWN_VERSIONS.filter((v) => v !== from && findPath(from, v));
    const n = reach.sort((a, b) => Math.abs(idx(a) - idx(to)) - Math.abs(idx(b) - idx(to)) || idx(a) - idx(b))[0];
    nearest = n ? findPath(from, n)! : null;
  }
  const hops = (path ?? []).slice(1).map((v, i) => {
    const h = hopOf(path![i]!, v);
    return { from: h.from, to: h.to, type: h.type, breakingChanges: h.breakingChanges, features: h.features };
  });
  // the types this journey is: by version difference as written (5.0.0 → 5.0.1 is a patch), plus a platform move
  const diff = versionDifference(opts.docVersion ?? fromRaw, toRaw);
  const crossesTo6 = path ? path.some((v) => v.startsWith('6.')) && !from.startsWith('6.') : false;
  const platformMove = crossesTo6 && (opts.runtime === undefined || opts.runtime === 'docker');
  const all: MigrationType[] = [];
  if (diff !== 'none') all.push(diff);
  if (platformMove) all.push('platform');
  if (!all.length) all.push('none');
  const main = all.filter((t): t is Exclude<MigrationType, 'none'> => t !== 'none').sort((a, b) => RISK_ORDER[MIGRATION_TYPES[b].risk] - RISK_ORDER[MIGRATION_TYPES[a].risk])[0];
  const migrationType = main
    ? { type: main, ...MIGRATION_TYPES[main], all }
    : { type: 'none' as MigrationType, description: 'already at the target version', downtime: 'None', risk: 'low', all };

  let dataSize: DataSize;
  let measured: 'full' | 'partial' | 'none';
  if (opts.dataSize !== undefined) {
    const n = parseSize(opts.dataSize, '--data-size');
    dataSize = { dataDir: n, database: null, databaseKind: null, total: n, source: 'given' };
    measured = 'full';
  } else if (opts.measureHome) {
    dataSize = await measureDataSize(ctx.home, ctx.env, opts.config);
    measured = dataSize.database === null ? 'partial' : 'full';
  } else {
    dataSize = { dataDir: 0, database: null, databaseKind: null, databaseNote: `no platform config in ${ctx.home}: data size unknown (pass --data-size)`, total: 0, source: 'none' };
    measured = 'none';
  }
  const hopTypes: Array<{ from: string; to: string; type: 'patch' | 'minor' | 'major' }> = hops.map((h) => ({ from: h.from, to: h.to, type: h.type }));
  if (path && path.length === 1 && diff === 'patch') hopTypes.push({ from: opts.docVersion ?? fromRaw, to: toRaw, type: 'patch' });
  const estimate = path ? estimateDowntime(hopTypes, platformMove, dataSize.total, measured) : null;
  return { ok: Boolean(path), from, to, compatible: Boolean(path), path, nearest, hops, migrationType, dataSize, estimate };
}

export function renderCheck(r: CheckReport): string[] {
  const out: string[] = [];
  if (!r.compatible) {
    out.push(`✗ No migration path from ${r.from} to ${r.to}.`);
    out.push(r.nearest ? `  nearest valid path: ${r.nearest.join(' → ')}` : `  ${r.from} is the newest version: nothing to migrate to`);
    return out;
  }
  out.push(`✓ ${r.from} → ${r.to} is supported: ${r.path!.join(' → ')}`);
  const t = r.migrationType;
  out.push(`  migration type: ${t.type}${t.all.length > 1 ? ` (${t.all.join(' + ')})` : ''} — downtime ${t.downtime}, risk ${t.risk}`);
  for (const h of r.hops) {
    out.push('', `${h.from} → ${h.to} (${h.type})${h.breakingChanges.length ? ': breaking changes' : ': no breaking changes'}`);
    if (h.breakingChanges.length) {
      out.push(`  ${'Component'.padEnd(16)} ${'From'.padEnd(15)} ${'To'.padEnd(17)} Migration required`);
      for (const b of h.breakingChanges) out.push(`  ${b.component.padEnd(16)} ${b.from.padEnd(15)} ${b.to.padEnd(17)} ${b.action}`);
    } else out.push(`  adds: ${h.features.join('; ')}`);
  }
  const d = r.dataSize;
  out.push('', `Data: ${formatBytes(d.total)}${d.source === 'given' ? ' (given)' : d.source === 'measured' ? ` (data dir ${formatBytes(d.dataDir)}${d.database !== null ? `, database ${formatBytes(d.database)}` : ''})` : ''}`);
  if (d.databaseNote) out.push(`  ${d.databaseNote}`);
  if (r.estimate) out.push(`Estimated downtime: ${r.estimate.readable} (confidence ${r.estimate.confidence})`, ...r.estimate.parts.map((p) => `  ${p.what}: ${formatDuration(p.seconds)}`));
  return out;
}

export const migrationCheckHandler: Handler<{ targetVersion: string; from?: string; dataSize?: string }> = async (ctx, opts) => {
  const loaded = await loadConfig(ctx.home);
  const runtime = (loaded.doc as Record<string, any>).runtime?.type ?? (loaded.generation === 6 ? 'kubernetes' : 'docker');
  const r = await checkMigration(ctx, opts.from ?? loaded.version, opts.targetVersion, { docVersion: String(loaded.doc.version), runtime, dataSize: opts.dataSize, config: loaded.doc, measureHome: true });
  return { data: r, text: renderCheck(r), exitCode: r.compatible ? ExitCode.OK : ExitCode.PRECONDITION };
};

export const migrateCheckHandler: Handler<{ from: string; to: string; dataSize?: string }> = async (ctx, opts) => {
  parseVersion(opts.from, '--from');
  const current = await homeConfigIfAny(ctx.home);
  const sameGen = current && Number(current.version.split('.')[0]) === parseVersion(opts.from).major;
  const runtime = sameGen ? ((current!.doc as Record<string, any>).runtime?.type ?? 'docker') : undefined;
  const r = await checkMigration(ctx, opts.from, opts.to, { runtime, dataSize: opts.dataSize, config: current?.doc, measureHome: Boolean(current) });
  return { data: r, text: renderCheck(r), exitCode: r.compatible ? ExitCode.OK : ExitCode.PRECONDITION };
};

