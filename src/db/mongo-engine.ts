// The migration engine for MongoDB: TypeScript modules in migrations/mongo/ (compiled to
// dist/migrations/mongo/*.js with the package; checksums are taken over the .ts source), tracked in the
// guide's `_migrations` collection (in_progress → completed, plus failed, rolled_back, baselined), run under
// a lock document with expiry and heartbeat. Planning (order, drift, adoption, resume) is shared with SQL.
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { AnyBulkWriteOperation, Db, Document, Filter } from 'mongodb';
import type { MongoDatabase } from './types.js';
import { busyError, McpError, failedError, invalidInput, preconditionError } from '../errors.js';
import { redactText } from '../redact.js';
import { pkgPath } from '../paths.js';
import { CHECKSUM_ALGORITHM, checksumOf, DEFAULT_VARIANT, orderOf, withinTarget, type SqlMigration, type Step } from './sqlfile.js';
import { isApplied, latestRows, type TrackingInfo, type TrackingRow } from './tracking.js';
import { appliedBy, buildStatus, planMigrate, planRollback, type EngineOptions, type PlanItem, type RunReport, type StatusReport } from './sql-engine.js';
import { HEARTBEAT_MS, LOCK_ID, lockTakeFilter, nextExpiry, runBatched, type LockDoc } from './mongo-logic.js';

export interface MongoMigrationContext {
  /** Cursor over `filter` (sorted by _id, resuming after the last written batch), unordered bulkWrite of at most `size` operations at a time. */
  batchUpdate(collection: string, filter: Filter<Document>, transform: (d: Document) => AnyBulkWriteOperation<Document> | null, opts?: { size?: number }): Promise<{ seen: number; written: number }>;
  progress(msg: string): void;
}

export interface MongoMigrationModule {
  description: string;
  /** what up() does, printed by --dry-run */
  operations: string[];
  downOperations?: string[];
  up(db: Db, ctx: MongoMigrationContext): Promise<void>;
  down?(db: Db, ctx: MongoMigrationContext): Promise<void>;
}

export interface MongoMigration extends SqlMigration {
  module: MongoMigrationModule;
}

const FILE_RE = /^(\d+(?:\.\d+){0,3})_(\d+)__([a-z0-9_]+)\.(ts|js|mjs)$/;
export const TRACKING = '_migrations';
export const LOCKS = '_migrations_lock';

/** Running from the built package (dist/…) or from the sources (tests)? */
const fromDist = fileURLToPath(import.meta.url).includes(`${'/'}dist${'/'}`);

export async function loadMongoMigrations(dir?: string): Promise<MongoMigration[]> {
  const srcDir = dir ? resolve(dir) : pkgPath('migrations', 'mongo');
  const codeDir = dir ? resolve(dir) : fromDist ? pkgPath('dist', 'migrations', 'mongo') : srcDir;
  let names: string[];
  try {
    names = await readdir(srcDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const byBase = new Map<string, string[]>();
  for (const n of names) {
    if (n.endsWith('.d.ts') || n.endsWith('.map') || n.startsWith('README')) continue;
    const m = n.match(FILE_RE);
    if (!m) continue;
    const base = n.replace(/\.(ts|js|mjs)$/, '');
    byBase.set(base, [...(byBase.get(base) ?? []), n]);
  }
  const out: MongoMigration[] = [];
  for (const [base, files] of byBase) {
    const m = base.match(/^(\d+(?:\.\d+){0,3})_(\d+)__([a-z0-9_]+)$/)!;
    const source = files.find((f) => f.endsWith('.ts')) ?? files[0]!;
    const text = await readFile(join(srcDir, source), 'utf8');
    const codeFile = codeDir === srcDir && !fromDist ? source : `${base}.js`;
    let mod: MongoMigrationModule;
    try {
      const imported = await import(pathToFileURL(join(codeDir, codeFile)).href);
      mod = (imported.default ?? imported) as MongoMigrationModule;
    } catch (e) {
      throw invalidInput(`cannot load ${join(codeDir, codeFile)}: ${(e as Error).message}`, { where: join(srcDir, source), hint: 'MongoDB migrations are compiled with the package (npm run build); a custom --migrations-dir needs .js modules' });
    }
    if (typeof mod.up !== 'function') throw invalidInput('a MongoDB migration module exports up(db, ctx)', { where: join(srcDir, source) });
    const up: Step[] = [{ kind: 'tx', statements: mod.operations.map((sql, i) => ({ sql, line: i + 1 })) }];
    const down: Step[] = mod.down ? [{ kind: 'tx', statements: (mod.downOperations ?? ['down()']).map((sql, i) => ({ sql, line: i + 1 })) }] : [];
    out.push({ version: m[1]!, seq: Number(m[2]), name: m[3]!, file: source, path: join(srcDir, source), checksum: checksumOf(text), up, down, variants: { [DEFAULT_VARIANT]: { up, down } }, module: mod });
  }
  return out.sort(orderOf);
}

interface TrackDoc {
  _id: unknown;
  version: string;
  name?: string;
  seq?: number;
  file?: string;
  status?: string;
  startedAt?: Date;
  completedAt?: Date;
  checksum?: string;
  checksumAlgorithm?: string;
  appliedBy?: string;
  durationMs?: number;
  error?: string;
  direction?: 'up' | 'down';
  progress?: Record<string, unknown> & { rows?: number };
}

/** The guide writes `_migrations` documents without a name: they match the one migration of that version. */
function nameFor(d: TrackDoc, migs: MongoMigration[]): string {
  if (d.name) return d.name;
  const same = migs.filter((m) => m.version === d.version);
  return same.length === 1 ? same[0]!.name : '(unnamed)';
}

async function readTrackingMongo(db: Db, migs: MongoMigration[]): Promise<TrackingInfo & { docs: Map<number, TrackDoc> }> {
  const docs = (await db.collection<TrackDoc>(TRACKING).find({}).sort({ _id: 1 }).toArray()) as TrackDoc[];
  const byId = new Map<number, TrackDoc>();
  const rows: TrackingRow[] = docs.map((d, i) => {
    byId.set(i + 1, d);
    return {
      id: i + 1,
      version: d.version,
      name: nameFor(d, migs),
      executed_at: d.completedAt ?? d.startedAt ?? null,
      checksum: d.checksum ?? null,
      status: d.status === 'in_progress' ? 'running' : d.status ?? null,
      checksum_algorithm: d.checksumAlgorithm ?? null,
      duration_ms: d.durationMs ?? null,
      applied_by: d.appliedBy ?? null,
      error: d.error ?? null,
      direction: d.direction ?? null,
      step: 0,
      batch_cursor: null,
      rows_done: d.progress?.rows ?? 0,
    };
  });
  return { exists: docs.length > 0, handMade: docs.length > 0 && docs.every((d) => !d.checksumAlgorithm), rows, docs: byId };
}

export async function mongoStatus(d: MongoDatabase, migs: MongoMigration[]): Promise<StatusReport> {
  return buildStatus(d, migs, await readTrackingMongo(d.db, migs));
}

// ---------------------------------------------------------------------------------------------- lock

export async function acquireMongoLock(db: Db, opts: EngineOptions): Promise<{ release(): Promise<void> }> {
  const coll = db.collection<LockDoc>(LOCKS);
  const token = randomBytes(8).toString('hex');
  const holder = { pid: process.pid, host: hostname(), command: opts.command, started: new Date().toISOString() };
  const deadline = Date.now() + opts.lockTimeoutMs;
  let delay = 100;
  let told = false;
  for (;;) {
    const now = new Date();
    try {
      await coll.updateOne(lockTakeFilter(now, token) as Filter<LockDoc>, { $set: { token, holder, expiresAt: nextExpiry(now) } }, { upsert: true });
      break;
    } catch (e) {
      if ((e as { code?: number }).code !== 11000) throw e;
    }
    const cur = await coll.findOne({ _id: LOCK_ID });
    const who = cur ? `pid ${cur.holder.pid} on ${cur.holder.host}${cur.holder.command ? ` (${cur.holder.command})` : ''}, since ${cur.holder.started}, lease until ${cur.expiresAt.toISOString()}` : 'another run';
    if (Date.now() >= deadline || opts.signal?.aborted) {
      throw busyError(`the migration lock of this MongoDB database is held by ${who}`, { hint: 'wait for it to finish (or raise --lock-timeout); a run that died releases it when its lease expires (60 s)' });
    }
    if (!told) {
      told = true;
      opts.progress(`waiting for the migration lock, held by ${who}`);
    }
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(10, deadline - Date.now()))));
    delay = Math.min(delay * 2, 2000);
  }
  let lost = false;
  const beat = setInterval(() => {
    coll
      .updateOne({ _id: LOCK_ID, token }, { $set: { expiresAt: nextExpiry(new Date()) } })
      .then((r) => {
        if (r.matchedCount === 0) lost = true;
      })
      .catch(() => undefined);
  }, HEARTBEAT_MS);
  beat.unref();
  return {
    async release() {
      clearInterval(beat);
      if (!lost) await coll.deleteOne({ _id: LOCK_ID, token }).catch(() => undefined);
    },
  };
}

// ---------------------------------------------------------------------------------------------- running

async function runMongoPlan(d: MongoDatabase, migs: MongoMigration[], items: PlanItem[], t: Awaited<ReturnType<typeof readTrackingMongo>>, opts: EngineOptions): Promise<RunReport> {
  const track = d.db.collection<TrackDoc>(TRACKING);
  const latest = latestRows(t.rows);
  const done: RunReport['items'] = [];
  for (const it of items) {
    const m = migs.find((x) => x.version === it.version && x.name === it.name)!;
    const row = latest.get(`${m.version}|${m.name}`);
    const existing = row ? t.docs.get(row.id) : undefined;
    const ident = { version: m.version, name: m.name, seq: m.seq, file: m.file, checksum: m.checksum, checksumAlgorithm: CHECKSUM_ALGORITHM };
    if (it.action === 'adopt' || it.action === 'baseline') {
      const set = it.action === 'adopt' ? { ...ident, adopted: true } : { ...ident, status: 'baselined', appliedBy: appliedBy(), completedAt: new Date(), adopted: true };
      if (existing) await track.updateOne({ _id: existing._id } as Filter<TrackDoc>, { $set: set } as Document);
      else await track.insertOne(set as unknown as TrackDoc);
      opts.progress(`${it.action === 'adopt' ? 'adopted' : 'baselined'} ${m.file}${it.note ? ` (${it.note})` : ''}`);
      done.push({ ...it, ok: true });
      continue;
    }
    const up = it.action !== 'rollback';
    const started = Date.now();
    const resuming = it.action === 'resume' || (!up && existing?.direction === 'down' && existing.status !== 'rolled_back');
    const base = { ...ident, status: up ? 'in_progress' : 'rolling_back', direction: up ? 'up' : 'down', startedAt: new Date(), appliedBy: appliedBy(), error: null };
    let id: unknown;
    if (existing) {
      await track.updateOne({ _id: existing._id } as Filter<TrackDoc>, { $set: resuming ? base : { ...base, progress: { rows: 0 } } } as Document);
      id = existing._id;
    } else {
      id = (await track.insertOne({ ...base, progress: { rows: 0 } } as unknown as TrackDoc)).insertedId;
    }
    const progressDoc = resuming ? existing?.progress ?? {} : {};
    let call = 0;
    let rows = 0;
    const ctx: MongoMigrationContext = {
      progress: opts.progress,
      async batchUpdate(collection, filter, transform, o = {}) {
        const key = `b${call++}`;
        const resumeAfter = progressDoc[key];
        const coll = d.db.collection(collection);
        const f = resumeAfter !== undefined ? { $and: [filter, { _id: { $gt: resumeAfter } }] } : filter;
        const size = o.size ?? 1000;
        const cursor = coll.find(f as Filter<Document>).sort({ _id: 1 }).batchSize(size);
        try {
          return await runBatched(cursor, transform, size, {
            async write(ops, last) {
              if (opts.signal?.aborted) throw new McpError('interrupted', 'interrupted', `interrupted in ${m.file}; run the command again to resume after the last batch`);
              await coll.bulkWrite(ops, { ordered: false });
              rows += ops.length;
              await track.updateOne({ _id: id } as Filter<TrackDoc>, { $set: { [`progress.${key}`]: last }, $inc: { 'progress.rows': ops.length } } as Document);
              opts.progress(`  ${m.file}: ${collection} ${rows} documents`);
            },
          });
        } finally {
          await cursor.close().catch(() => undefined);
        }
      },
    };
    opts.progress(`${up ? (it.action === 'resume' ? 'resuming' : 'applying') : 'rolling back'} ${m.file}`);
    try {
      if (up) await m.module.up(d.db, ctx);
      else await m.module.down!(d.db, ctx);
      const ms = Date.now() - started;
      await track.updateOne({ _id: id } as Filter<TrackDoc>, { $set: { status: up ? 'completed' : 'rolled_back', completedAt: new Date(), durationMs: ms, progress: { rows } } } as Document);
      opts.progress(`✓ ${m.file} ${up ? 'applied' : 'rolled back'} in ${ms} ms`);
      done.push({ ...it, ok: true, durationMs: ms, rows: rows || undefined });
    } catch (e) {
      const msg = redactText((e as Error).message ?? String(e));
      await track.updateOne({ _id: id } as Filter<TrackDoc>, { $set: { status: 'failed', error: msg.slice(0, 4000), durationMs: Date.now() - started } } as Document).catch(() => undefined);
      if (e instanceof McpError) throw e;
      throw failedError(`${m.file} failed while ${up ? 'applying' : 'rolling back'}: ${msg}`, { where: m.path, hint: up ? 'fix the cause and run mcp db migrate again: it resumes after the last written batch' : 'fix the cause and run the rollback again' });
    }
  }
  return { items: done, dryRun: false };
}

async function locked<T>(d: MongoDatabase, opts: EngineOptions, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireMongoLock(d.db, opts);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

export async function mongoMigrate(d: MongoDatabase, migs: MongoMigration[], opts: EngineOptions & { target?: string; dryRun?: boolean; allowOutOfOrder?: boolean }): Promise<RunReport> {
  if (opts.dryRun) return { items: planMigrate(migs, await readTrackingMongo(d.db, migs), opts).map((i) => ({ ...i, ok: true })), dryRun: true };
  return locked(d, opts, async () => {
    const t = await readTrackingMongo(d.db, migs);
    return runMongoPlan(d, migs, planMigrate(migs, t, opts), t, opts);
  });
}

export async function mongoRollback(d: MongoDatabase, migs: MongoMigration[], opts: EngineOptions & { to: string; dryRun?: boolean }): Promise<RunReport> {
  const plan = (t: TrackingInfo) => {
    const items = planRollback(migs, t, opts.to);
    const noDown = items.filter((i) => !migs.find((m) => m.version === i.version && m.name === i.name)!.module.down);
    if (noDown.length) throw preconditionError(`${noDown.map((i) => i.file).join(', ')} cannot be undone (no down)`, { hint: 'restore from a backup instead' });
    return items;
  };
  if (opts.dryRun) return { items: plan(await readTrackingMongo(d.db, migs)).map((i) => ({ ...i, ok: true })), dryRun: true };
  return locked(d, opts, async () => {
    const t = await readTrackingMongo(d.db, migs);
    return runMongoPlan(d, migs, plan(t), t, opts);
  });
}

export async function mongoRepair(d: MongoDatabase, migs: MongoMigration[], opts: EngineOptions & { dryRun?: boolean }) {
  const find = async () => {
    const t = await readTrackingMongo(d.db, migs);
    const latest = latestRows(t.rows);
    return migs.flatMap((m) => {
      const r = latest.get(`${m.version}|${m.name}`);
      if (!r || !isApplied(r) || (r.checksum === m.checksum && r.checksum_algorithm)) return [];
      return [{ file: m.file, from: r.checksum, to: m.checksum, _id: t.docs.get(r.id)!._id, version: m.version, name: m.name, seq: m.seq }];
    });
  };
  const strip = (a: Awaited<ReturnType<typeof find>>) => a.map(({ file, from, to }) => ({ file, from, to }));
  if (opts.dryRun) return { accepted: strip(await find()), dryRun: true };
  return locked(d, opts, async () => {
    const acc = await find();
    for (const a of acc) await d.db.collection<TrackDoc>(TRACKING).updateOne({ _id: a._id } as Filter<TrackDoc>, { $set: { checksum: a.to, checksumAlgorithm: CHECKSUM_ALGORITHM, name: a.name, seq: a.seq, file: a.file } });
    return { accepted: strip(acc), dryRun: false };
  });
}

export async function mongoBaseline(d: MongoDatabase, migs: MongoMigration[], opts: EngineOptions & { version: string; dryRun?: boolean }): Promise<RunReport> {
  const plan = (t: TrackingInfo): PlanItem[] => {
    const latest = latestRows(t.rows);
    return migs
      .filter((m) => withinTarget(m.version, opts.version) && !isApplied(latest.get(`${m.version}|${m.name}`)))
      .map((m) => ({ action: 'baseline' as const, version: m.version, seq: m.seq, name: m.name, file: m.file, fromStep: 0, steps: [] }));
  };
  if (opts.dryRun) return { items: plan(await readTrackingMongo(d.db, migs)).map((i) => ({ ...i, ok: true })), dryRun: true };
  return locked(d, opts, async () => {
    const t = await readTrackingMongo(d.db, migs);
    return runMongoPlan(d, migs, plan(t), t, opts);
  });
}

/** MongoDB rebuilds indexes itself; we list them per platform collection and make sure the migration ones exist. */
export async function mongoReindex(d: MongoDatabase, opts: EngineOptions & { dryRun?: boolean }) {
  const names = (await d.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !n.startsWith('system.'));
  const collections: { collection: string; indexes: string[] }[] = [];
  for (const n of names.sort()) {
    const idx = await d.db.collection(n).indexes();
    collections.push({ collection: n, indexes: idx.map((i) => String(i.name)) });
  }
  if (!opts.dryRun && names.includes('services')) {
    await locked(d, opts, async () => {
      await d.db.collection('services').createIndex({ 'deployment.type': 1 });
    });
  }
  return { collections, dryRun: !!opts.dryRun };
}
