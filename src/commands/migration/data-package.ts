// The data package of the guide's v5→v6 step 2: export-data → transform → validate-data, and after the
// migration verify-data. A package is a directory of one JSON file and three NDJSON files, with a
// manifest holding each file's SHA-256 and record count:
//   manifest.json  config.json  services.ndjson  users.ndjson  keys.ndjson
// Users and keys are sensitive: their files are created 0600 (the whole directory 0700), and no
// command prints their content, only counts and record ids.
import { createHash, randomBytes } from 'node:crypto';
import { engineEnv } from '../../cli/context.js';
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Ctx } from '../../cli/context.js';
import type { Handler } from '../../cli/program.js';
import { integrityError, invalidInput, preconditionError, usageError } from '../../errors.js';
import { ExitCode } from '../../cli/errors.js';
import { exists } from '../../fsutil.js';
import { isSql, type SqlSession } from '../../db/types.js';
import { openHomeDatabase } from '../../backup/engine.js';

export const KINDS = ['services', 'config', 'users', 'keys'] as const;
export type Kind = (typeof KINDS)[number];
type Rec = Record<string, unknown>;

const FILES: Record<Kind, string> = { config: 'config.json', services: 'services.ndjson', users: 'users.ndjson', keys: 'keys.ndjson' };
const SENSITIVE: Kind[] = ['users', 'keys', 'config'];
const TABLE: Partial<Record<Kind, string>> = { users: 'users', keys: 'api_keys' };

export interface PackageManifest {
  format: 'mcp-data-package';
  formatVersion: 1;
  version: string;
  createdAt: string;
  include: Kind[];
  files: Partial<Record<Kind, { file: string; sha256: string; records: number }>>;
  transformedFrom?: { version: string; manifestSha256: string };
  notes: string[];
}

export interface Pkg {
  manifest: PackageManifest;
  records: Partial<Record<Kind, Rec[]>>;
}

/** JSON with sorted keys: the same record always hashes the same. */
export function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  return `{${Object.keys(v as Rec).sort().filter((k) => (v as Rec)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((v as Rec)[k])}`).join(',')}}`;
}
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const keyOf = (kind: Kind, r: Rec): string => (kind === 'services' ? String(r.name) : kind === 'config' ? 'config' : String(r.id));

function parseInclude(raw: string | undefined): Kind[] {
  const list = (raw ?? KINDS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  for (const k of list) if (!(KINDS as readonly string[]).includes(k)) throw invalidInput(`--include '${k}' is not a kind of data`, { hint: `use any of ${KINDS.join(',')}` });
  return KINDS.filter((k) => list.includes(k));
}

async function tableRows(s: SqlSession, table: string): Promise<Rec[] | undefined> {
  const t = await s.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [table]);
  if (!t.rows[0]?.t) return undefined;
  const out: Rec[] = [];
  // to_jsonb: every column, timestamps to the microsecond and JSON values as stored (a JS Date keeps milliseconds)
  await s.exec(`DECLARE mcp_pkg NO SCROLL CURSOR FOR SELECT to_jsonb(t) AS r FROM ${table} t ORDER BY id`);
  for (;;) {
    const r = await s.query<{ r: Rec }>('FETCH FORWARD 1000 FROM mcp_pkg');
    out.push(...r.rows.map((row) => JSON.parse(canonical(typeof row.r === 'string' ? JSON.parse(row.r) : row.r)) as Rec));
    if (r.rows.length < 1000) break;
  }
  await s.exec('CLOSE mcp_pkg');
  return out;
}

/** The installation as a package (in memory): config and services from the config, users and keys from the database. */
export async function exportInstallation(ctx: Ctx, include: Kind[]): Promise<Pkg> {
  const { readStoredConfig } = await import('../../config/store.js');
  const { registerConfigSecrets } = await import('../../config/secrets.js');
  const stored = await readStoredConfig(ctx.home);
  registerConfigSecrets(stored.doc);
  const notes: string[] = [];
  const records: Pkg['records'] = {};
  if (include.includes('config')) records.config = [stored.doc];
  if (include.includes('services')) records.services = ((stored.doc.services as Rec[] | undefined) ?? []).map((s) => JSON.parse(canonical(s)) as Rec);
  const dbKinds = include.filter((k) => TABLE[k]);
  if (dbKinds.length) {
    const db = await openHomeDatabase(engineEnv(ctx), stored.doc);
    if (!db) notes.push('no database yet: users and keys are empty');
    else {
      try {
        if (!isSql(db)) throw preconditionError('exporting users and keys from MongoDB is not supported', { hint: 'pass --include services,config' });
        await db.transaction(
          async (s) => {
            for (const k of dbKinds) {
              const rows = await tableRows(s, TABLE[k]!);
              if (!rows) notes.push(`the database has no ${TABLE[k]} table: ${k} is empty`);
              records[k] = rows ?? [];
            }
          },
          { isolation: 'repeatable read', readOnly: true },
        );
      } finally {
        await db.close();
      }
    }
    for (const k of dbKinds) records[k] ??= [];
  }
  return { manifest: { format: 'mcp-data-package', formatVersion: 1, version: stored.version, createdAt: new Date().toISOString(), include, files: {}, notes }, records };
}

/** Write a package atomically: a temp directory beside the target, renamed at the end. */
async function writePackage(dir: string, pkg: Pkg): Promise<PackageManifest> {
  const target = resolve(dir);
  if (await exists(target)) {
    if ((await readdir(target)).length) throw preconditionError(`${target} exists and is not empty`, { hint: 'choose a new --output directory; nothing was written' });
    await rm(target, { recursive: true });
  }
  await mkdir(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.partial`);
  await mkdir(tmp, { mode: 0o700 });
  try {
    const manifest: PackageManifest = { ...pkg.manifest, files: {} };
    for (const k of manifest.include) {
      const recs = pkg.records[k] ?? [];
      const text = k === 'config' ? JSON.stringify(recs[0] ?? {}, null, 2) + '\n' : recs.map((r) => canonical(r) + '\n').join('');
      const mode = SENSITIVE.includes(k) ? 0o600 : 0o644;
      await writeFile(join(tmp, FILES[k]), text, { mode });
      await chmod(join(tmp, FILES[k]), mode);
      manifest.files[k] = { file: FILES[k], sha256: sha(text), records: recs.length };
    }
    await writeFile(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o644 });
    await rename(tmp, target);
    return manifest;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

export async function readPackage(dir: string, flag: string): Promise<Pkg & { manifestSha256: string }> {
  const mpath = join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(mpath, 'utf8');
  } catch (e) {
    // a path given on the command line that is not what it must be is bad input (exit 2), as for --config
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT' && !(await stat(dir).then(() => true, () => false));
    throw invalidInput(missing ? `cannot read ${flag} ${dir}: no such directory` : `${dir} is not a data package (no manifest.json)`, { where: flag, hint: missing ? `check the path given to ${flag}` : "create one with 'mcp migration export-data'" });
  }
  let manifest: PackageManifest;
  try {
    manifest = JSON.parse(text);
  } catch (e) {
    throw invalidInput(`manifest.json is not JSON: ${(e as Error).message}`, { where: mpath });
  }
  if (manifest?.format !== 'mcp-data-package' || !manifest.files) throw invalidInput('not an mcp data package manifest', { where: mpath });
  const records: Pkg['records'] = {};
  for (const k of manifest.include) {
    const f = manifest.files[k];
    if (!f) throw integrityError(`the manifest lists ${k} but no file for it`, { where: mpath });
    const p = join(dir, f.file);
    const body = await readFile(p).catch(() => {
      throw integrityError('missing from the package', { where: p });
    });
    if (sha(body) !== f.sha256) throw integrityError(`SHA-256 does not match the manifest: the file was changed after export`, { where: p, hint: 'export again' });
    const s = body.toString('utf8');
    const where = (i: number) => `${p}:${i + 1}`;
    records[k] = k === 'config' ? [JSON.parse(s)] : s.split('\n').filter((l) => l !== '').map((l, i) => {
      try {
        return JSON.parse(l) as Rec;
      } catch {
        throw invalidInput('not a JSON record', { where: where(i) });
      }
    });
    if (records[k]!.length !== f.records) throw integrityError(`${records[k]!.length} records, the manifest says ${f.records}`, { where: p });
  }
  return { manifest, records, manifestSha256: sha(text) };
}

/** The package at another platform version, through the config transformer registry (services ride along with the config). */
export async function transformPackage(pkg: Pkg & { manifestSha256: string }, target: string): Promise<Pkg> {
  const { transformConfig } = await import('../../config/transformers/registry.js');
  const { registerConfigSecrets } = await import('../../config/secrets.js');
  const notes: string[] = [];
  const out: Pkg['records'] = {};
  const srcConfig = pkg.records.config?.[0];
  const baseConfig = srcConfig ?? { version: pkg.manifest.version, services: pkg.records.services ?? [] };
  if (!srcConfig && pkg.records.services) notes.push('no config in the package: services transformed inside a minimal config');
  if (srcConfig) registerConfigSecrets(srcConfig);
  const t = transformConfig({ ...baseConfig, ...(pkg.records.services && !srcConfig ? { services: pkg.records.services } : {}) }, pkg.manifest.version, target, { where: 'config.json' });
  if (pkg.records.config) out.config = [t.config];
  if (pkg.records.services) out.services = ((t.config.services as Rec[] | undefined) ?? []).map((s) => JSON.parse(canonical(s)) as Rec);
  const major = Number(String(t.to).split('.')[0]);
  // users gain their authentication provider in v6 (the 6.0.0 database migration's default)
  if (pkg.records.users) out.users = pkg.records.users.map((u) => (major >= 6 && u.auth_provider === undefined ? { ...u, auth_provider: 'jwt' } : u));
  if (pkg.records.keys) out.keys = pkg.records.keys;
  notes.push(...t.manualActions.map((m) => `manual action: ${m}`));
  return {
    manifest: { format: 'mcp-data-package', formatVersion: 1, version: t.to, createdAt: new Date().toISOString(), include: pkg.manifest.include, files: {}, transformedFrom: { version: pkg.manifest.version, manifestSha256: pkg.manifestSha256 }, notes },
    records: out,
  };
}

const counts = (m: PackageManifest) => Object.fromEntries(Object.entries(m.files).map(([k, f]) => [k, f!.records]));

export const exportDataHandler: Handler<{ version: string; output: string; include?: string }> = async (ctx, o) => {
  const include = parseInclude(o.include);
  const { resolveKnown } = await import('../../versions.js');
  const pkg = await exportInstallation(ctx, include);
  const want = o.version.replace(/^v/i, '');
  const wantMajor = Number(want.split('.')[0]);
  const have = resolveKnown(pkg.manifest.version, 'version');
  if (Number(have.split('.')[0]) !== wantMajor || (!/x$/i.test(want) && want.split('.').length > 1 && resolveKnown(want, '--version') !== have)) {
    throw preconditionError(`the installation is at ${pkg.manifest.version}, not ${o.version}`, { where: '--version', hint: `pass --version ${have}` });
  }
  const m = await writePackage(o.output, pkg);
  for (const n of m.notes) ctx.out.warn(n);
  return {
    data: { output: resolve(o.output), version: m.version, include: m.include, records: counts(m), notes: m.notes },
    text: [`Exported ${m.include.map((k) => `${m.files[k]!.records} ${k}`).join(', ')} (version ${m.version}) to ${resolve(o.output)}`, '  users, keys and the config are sensitive: their files are readable by you only (0600)'],
  };
};

export const transformHandler: Handler<{ source: string; target: string; output: string }> = async (ctx, o) => {
  const src = await readPackage(o.source, '--source');
  const t = await transformPackage(src, o.target);
  const m = await writePackage(o.output, t);
  for (const n of m.notes) ctx.out.progress(n);
  return {
    data: { source: resolve(o.source), output: resolve(o.output), from: src.manifest.version, to: m.version, records: counts(m), notes: m.notes },
    text: [`Transformed ${src.manifest.version} → ${m.version}: ${m.include.map((k) => `${m.files[k]!.records} ${k}`).join(', ')} written to ${resolve(o.output)}`],
  };
};

export const validateDataHandler: Handler<{ data: string; schema: string }> = async (_ctx, o) => {
  const m = o.schema.match(/^v?(\d+)(?:\.\d+)*$/i);
  if (!m) throw invalidInput(`--schema '${o.schema}' is not a schema`, { hint: 'use v4, v5 or v6' });
  const gen = Number(m[1]);
  const pkg = await readPackage(o.data, '--data');
  const { validateConfig } = await import('../../config/validate.js');
  const issues: { file: string; path: string; message: string }[] = [];
  if (Number(pkg.manifest.version.split('.')[0]) !== gen) issues.push({ file: 'manifest.json', path: 'version', message: `the package is version ${pkg.manifest.version}, not v${gen}` });
  const cfg = pkg.records.config?.[0];
  if (cfg) for (const i of validateConfig(cfg, `${gen}.0`).issues) issues.push({ file: FILES.config, path: i.path, message: i.message });
  const services = pkg.records.services ?? [];
  if (services.length) {
    const v = validateConfig({ ...(cfg ?? { version: `${gen}.0` }), services }, `${gen}.0`);
    for (const i of v.issues.filter((x) => x.path.startsWith('services'))) if (!cfg) issues.push({ file: FILES.services, path: i.path, message: i.message });
    const names = new Set<string>();
    services.forEach((s, i) => {
      if (names.has(String(s.name))) issues.push({ file: FILES.services, path: `line ${i + 1}`, message: `service ${String(s.name)} appears twice` });
      names.add(String(s.name));
    });
    if (cfg) {
      const inConfig = new Set(((cfg.services as Rec[] | undefined) ?? []).map((s) => String(s.name)));
      for (const n of names) if (!inConfig.has(n)) issues.push({ file: FILES.services, path: n, message: 'not among the config\'s services' });
    }
  }
  const need: Record<'users' | 'keys', string[]> = { users: ['id', 'username', ...(gen >= 6 ? ['auth_provider'] : [])], keys: ['id', 'name'] };
  for (const k of ['users', 'keys'] as const) {
    const ids = new Set<string>();
    (pkg.records[k] ?? []).forEach((r, i) => {
      for (const f of need[k]) if (r[f] === undefined || r[f] === null || r[f] === '') issues.push({ file: FILES[k], path: `line ${i + 1}`, message: `record ${String(r.id ?? '?')} has no ${f}` });
      if (ids.has(String(r.id))) issues.push({ file: FILES[k], path: `line ${i + 1}`, message: `record ${String(r.id)} appears twice` });
      ids.add(String(r.id));
    });
  }
  const ok = issues.length === 0;
  return {
    data: { ok, data: resolve(o.data), schema: `v${gen}`, version: pkg.manifest.version, records: counts(pkg.manifest), issues },
    text: ok
      ? [`${resolve(o.data)} is valid v${gen} data: ${Object.entries(counts(pkg.manifest)).map(([k, n]) => `${n} ${k}`).join(', ')}`]
      : [`${issues.length} problems in ${resolve(o.data)} against v${gen}:`, ...issues.slice(0, 50).map((i) => `  ${i.file}: ${i.path}: ${i.message}`), ...(issues.length > 50 ? [`  … and ${issues.length - 50} more (--json lists all)`] : [])],
    exitCode: ok ? ExitCode.OK : ExitCode.USAGE,
  };
};

export interface KindDiff {
  expected: number;
  actual: number;
  missing: string[];
  extra: string[];
  changed: string[];
}

/** Record by record, by key and content hash; only keys are reported, never content. */
export function diffPackages(expected: Pkg, actual: Pkg): Partial<Record<Kind, KindDiff>> {
  const out: Partial<Record<Kind, KindDiff>> = {};
  for (const k of expected.manifest.include) {
    const e = new Map((expected.records[k] ?? []).map((r) => [keyOf(k, r), sha(canonical(r))]));
    const a = new Map((actual.records[k] ?? []).map((r) => [keyOf(k, r), sha(canonical(r))]));
    const d: KindDiff = { expected: e.size, actual: a.size, missing: [], extra: [], changed: [] };
    for (const [key, h] of e) {
      if (!a.has(key)) d.missing.push(key);
      else if (a.get(key) !== h) d.changed.push(key);
    }
    for (const key of a.keys()) if (!e.has(key)) d.extra.push(key);
    out[k] = d;
  }
  return out;
}

export const verifyDataHandler: Handler<{ compareWith: string }> = async (ctx, o) => {
  if (!o.compareWith) throw usageError('--compare-with DIR is required');
  const before = await readPackage(o.compareWith, '--compare-with');
  const now = await exportInstallation(ctx, before.manifest.include);
  const expected = now.manifest.version === before.manifest.version ? before : await transformPackage(before, now.manifest.version);
  const diff = diffPackages(expected, now);
  const bad = Object.values(diff).some((d) => d!.missing.length || d!.extra.length || d!.changed.length);
  const text = [`${bad ? 'Differences' : 'No differences'} between ${resolve(o.compareWith)} (${before.manifest.version}${expected !== before ? ` → ${now.manifest.version}` : ''}) and the installation:`];
  for (const [k, d] of Object.entries(diff)) {
    text.push(`  ${k}: ${d!.actual}/${d!.expected} records${d!.missing.length + d!.extra.length + d!.changed.length ? `, ${d!.missing.length} missing, ${d!.extra.length} extra, ${d!.changed.length} changed` : ', all identical'}`);
    for (const x of d!.missing.slice(0, 20)) text.push(`    missing: ${k} ${x}`);
    for (const x of d!.extra.slice(0, 20)) text.push(`    extra:   ${k} ${x}`);
    for (const x of d!.changed.slice(0, 20)) text.push(`    changed: ${k} ${x}`);
  }
  return { data: { ok: !bad, compareWith: resolve(o.compareWith), from: before.manifest.version, to: now.manifest.version, diff }, text, exitCode: bad ? ExitCode.PRECONDITION : ExitCode.OK };
};
