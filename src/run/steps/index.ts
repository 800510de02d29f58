// The step registry: every kind a plan may name, with its run, its undo and its rollback-point flag.
// Kinds that call another module (config, db, backup, runtime) refuse at plan time when that module
// is not built in. docs/plans.md lists them.
import { statfs, readFile, mkdir } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StepContext, StepKind } from './types.js';
import { saveState, restoreState } from './snapshot.js';
import { backupEnv, modules } from './modules.js';
import { benchmarkBaseline, benchmarkCompare } from './benchmark.js';
import { securityScan, tlsConfigure } from './security.js';
import { PROMOTION_STEPS } from './promotion.js';
import { BLUEGREEN_STEPS } from './bluegreen.js';
import type { Scope } from '../../backup/manifest.js';
import type { PlatformServices, ServiceSpec } from '../../runtime/services.js';
import type { Runtime } from '../../runtime/types.js';

const SCOPES: Scope[] = ['full', 'data', 'config'];
import { layout } from '../../home.js';
import { configPath, readStoredConfig } from '../../config/store.js';
import { exists, writeFileAtomic } from '../../fsutil.js';
import { recordVersion, versionsDir } from '../../version-history.js';
import { parseVersion } from '../../versions.js';

const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : v === undefined ? d : String(v));
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

// the whole config directory: writeConfig also keeps the previous file in config/history/
const configFiles = (home: string) => [layout(home).config];

const versionMatches = (actual: string, expect: string): boolean => {
  const a = parseVersion(actual);
  const e = parseVersion(expect);
  return a.major === e.major && (e.minor === undefined || a.minor === e.minor);
};

// ---------------------------------------------------------------- engine-owned kinds

const noop: StepKind = {
  kind: 'noop',
  summary: 'does nothing (a marker in a plan; used by the executor benchmark)',
  rollbackPoint: false,
  mutates: false,
  async run() {
    return undefined;
  },
};

const wait: StepKind = {
  kind: 'wait',
  summary: 'waits `ms` milliseconds (a settle time between steps); interrupted by pause, abort and timeouts',
  rollbackPoint: false,
  mutates: false,
  async check(p) {
    return typeof p.ms === 'number' && p.ms >= 0 ? undefined : 'params.ms must be a number of milliseconds';
  },
  async run(ctx, p) {
    await sleep(p.ms as number, ctx.signal);
  },
};

const checkVersion: StepKind = {
  kind: 'check.version',
  summary: 'pre-check: the installed platform version matches `expect` (e.g. 4.x)',
  rollbackPoint: false,
  mutates: false,
  describe: (p) => `check the installed version is ${str(p.expect)}`,
  async run(ctx, p) {
    const cfg = await readStoredConfig(ctx.home);
    if (!versionMatches(cfg.version, str(p.expect))) throw new Error(`the installation is at ${cfg.version}, the plan expects ${str(p.expect)}`);
    return { version: cfg.version };
  },
};

const checkDisk: StepKind = {
  kind: 'check.disk-space',
  summary: 'pre-check: the home has at least `minMb` MB free (default 100)',
  rollbackPoint: false,
  mutates: false,
  describe: (p) => `check the home has ${typeof p.minMb === 'number' ? `${p.minMb} MB` : 'enough space'} free`,
  async run(ctx, p) {
    const s = await statfs(ctx.home);
    const freeMb = Math.floor((Number(s.bavail) * Number(s.bsize)) / 1048576);
    const minMb = typeof p.minMb === 'number' ? p.minMb : 100;
    if (freeMb < minMb) throw new Error(`${ctx.home} has ${freeMb} MB free, the plan needs ${minMb} MB`);
    return { freeMb, minMb };
  },
};

const versionRecord: StepKind = {
  kind: 'version.record',
  summary: 'records `version` as current in the version history, with the config it runs with (undo: the history as it was)',
  rollbackPoint: false,
  mutates: true,
  describe: (p) => `record ${str(p.version)} in the version history`,
  async run(ctx, p) {
    await saveState(ctx.dir, 'versions', [versionsDir(ctx.home)]);
    const e = await recordVersion(ctx.home, str(p.version), { backupId: typeof p.backupId === 'string' ? p.backupId : undefined });
    return { version: e.version };
  },
  async undo(ctx) {
    await restoreState(ctx.dir, 'versions');
  },
};

const configSet: StepKind = {
  kind: 'config.set',
  summary: 'sets fields of the platform config (`set: {"api.host": "…", "security.tls.enabled": true}`); undo: the file as it was',
  rollbackPoint: false,
  mutates: true,
  describe: (p) => `set ${Object.keys((p.set ?? {}) as object).join(', ')} in the platform config`,
  async check(p) {
    return p.set && typeof p.set === 'object' && !Array.isArray(p.set) ? undefined : 'params.set must map field paths to values';
  },
  async run(ctx, p) {
    const cfg = await readStoredConfig(ctx.home);
    await saveState(ctx.dir, 'config', configFiles(ctx.home));
    const doc = structuredClone(cfg.doc) as Record<string, any>;
    for (const [path, value] of Object.entries(p.set as Record<string, unknown>)) {
      const keys = path.split('.');
      let o = doc;
      for (const k of keys.slice(0, -1)) o = o[k] && typeof o[k] === 'object' ? o[k] : (o[k] = {});
      o[keys[keys.length - 1]!] = value;
    }
    // through writeConfig like every change of the home's config: validated, the previous file kept, atomic
    const config = await modules.config();
    await config.writeConfig(ctx.home, doc, { where: `step ${ctx.stepId}` });
    return { fields: Object.keys(p.set as object) };
  },
  async undo(ctx) {
    await restoreState(ctx.dir, 'config');
  },
};

const verifyStep: StepKind = {
  kind: 'verify',
  summary: 'verification (as `mcp migration verify --version V`): config valid for V, database migrations complete with matching checksums, data counts, service health',
  rollbackPoint: true,
  mutates: false,
  describe: (p) => `verify the installation is a healthy ${str(p.version)}`,
  async run(ctx, p) {
    const { verifyInstallation } = await import('../verify.js');
    const report = await verifyInstallation({ home: ctx.home, env: ctx.env, version: str(p.version), signal: ctx.signal, baseline: typeof p.baseline === 'string' ? p.baseline : undefined });
    const failed = report.checks.filter((c) => c.status === 'failed');
    if (failed.length) throw new Error(`verification of ${str(p.version)} failed: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
    return { checks: report.checks.length, version: str(p.version) };
  },
};

// ---------------------------------------------------------------- kinds backed by other modules

const configValidate: StepKind = {
  kind: 'config.validate',
  summary: 'pre-check: the platform config validates against the schema of `version` (the config module)',
  needs: 'config',
  rollbackPoint: false,
  mutates: false,
  describe: (p) => `validate the config${p.version ? ` as ${str(p.version)}` : ''}`,
  async run(ctx, p) {
    const config = await modules.config();
    const cfg = await readStoredConfig(ctx.home);
    const v = config.validateConfig(cfg.doc, p.version ? str(p.version) : undefined);
    if (!v.ok) throw new Error(`${cfg.path} is not a valid ${str(p.version, cfg.version)} config: ${v.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    return { version: cfg.version };
  },
};

const configTransform: StepKind = {
  kind: 'config.transform',
  summary: 'transforms the platform config `from` → `to` (the config module; v4 YAML → v5 JSON → v6); undo: the files as they were',
  needs: 'config',
  rollbackPoint: false,
  mutates: true,
  describe: (p) => `transform the platform config ${str(p.from)} → ${str(p.to)}`,
  async run(ctx, p) {
    const config = await modules.config();
    const cfg = await readStoredConfig(ctx.home);
    await saveState(ctx.dir, 'config', configFiles(ctx.home));
    const out = await config.transformConfig(cfg.doc, cfg.version, str(p.to));
    await config.writeConfig(ctx.home, out.config);
    return { from: cfg.version, to: str(p.to), notes: out.notes ?? [], manualActions: out.manualActions ?? [] };
  },
  async undo(ctx) {
    await restoreState(ctx.dir, 'config');
  },
};

/** Normalize 5.x / 6.0.0 to the form migration versions are matched with. */
const dbVersion = (raw: string) => {
  const v = parseVersion(raw);
  return [v.major, v.minor ?? 0, v.patch].filter((x) => x !== undefined).join('.');
};

type DbModule = Awaited<ReturnType<typeof modules.db>>;
type Conn = Awaited<ReturnType<DbModule['openDatabase']>>;

async function withDb<T>(ctx: StepContext, db: DbModule, fn: (conn: Conn) => Promise<T>): Promise<T> {
  const conn = await db.openDatabase({ home: ctx.home, env: ctx.env, command: `mcp run ${ctx.runId} ${ctx.stepId}`, signal: ctx.signal });
  try {
    return await fn(conn);
  } finally {
    await conn.close();
  }
}

const dbMigrate: StepKind = {
  kind: 'db.migrate',
  summary: "applies the platform database migrations up to `to` (the db module's engine: tracked, checksummed); undo: the embedded database directory as it was, or the migrations' down sections on PostgreSQL",
  needs: 'db',
  rollbackPoint: false,
  mutates: true,
  describe: (p) => `migrate the database to ${str(p.to)}`,
  async run(ctx, p) {
    const db = await modules.db();
    const target = await db.targetOf({ home: ctx.home, env: ctx.env });
    // the embedded database is a directory: keep it whole (while closed) for an exact undo
    if (target.kind === 'pglite' && target.dataDir) await saveState(ctx.dir, 'database', [target.dataDir]);
    return withDb(ctx, db, async (conn) => {
      // the engine snapshots every record first and fails the step (exit 3) when any differs afterwards
      const r = await db.migrateTo(conn, { target: dbVersion(str(p.to)), lockTimeoutMs: 30_000, progress: ctx.detail, signal: ctx.signal, command: `mcp run ${ctx.runId}` });
      const content = r.content ? { records: r.content.records, tables: r.content.tables, identical: r.content.ok } : undefined;
      return { to: str(p.to), applied: r.items.map((i) => i.file), content, embedded: target.kind === 'pglite' };
    });
  },
  async undo(ctx, p) {
    if (await restoreState(ctx.dir, 'database')) return;
    const db = await modules.db();
    const target = await db.targetOf({ home: ctx.home, env: ctx.env });
    if (target.kind === 'pglite') return; // nothing saved: the step had not changed anything yet
    await withDb(ctx, db, (conn) => db.rollbackTo(conn, { to: dbVersion(str(p.from)), lockTimeoutMs: 30_000, progress: ctx.detail, signal: ctx.signal, command: `mcp run ${ctx.runId}` }));
  },
};


const backupCreate: StepKind = {
  kind: 'backup.create',
  summary: 'creates a backup archive with a SHA-256 manifest (the backup module); a rollback point; the archive is kept on rollback',
  needs: 'backup',
  rollbackPoint: true,
  mutates: false,
  describe: (p) => `back up the installation as ${str(p.name)}`,
  async check(p) {
    return p.scope === undefined || SCOPES.includes(p.scope as Scope) ? undefined : `params.scope must be one of ${SCOPES.join(', ')}`;
  },
  async run(ctx, p) {
    const backup = await modules.backup();
    const r = await backup.createBackup(backupEnv(ctx), { scope: (p.scope as Scope | undefined) ?? 'full', name: str(p.name) || undefined });
    return { id: r.sidecar?.id ?? r.manifest?.id, archive: r.archivePath, files: r.manifest?.totals?.files };
  },
};

const backupVerify: StepKind = {
  kind: 'backup.verify',
  summary: 'pre-check: the newest backup (or `id`) re-reads with every SHA-256 matching its manifest (the backup module)',
  needs: 'backup',
  rollbackPoint: false,
  mutates: false,
  async run(ctx, p) {
    const backup = await modules.backup();
    const b = p.id ? await backup.findBackup(ctx.home, str(p.id)) : await backup.latestBackup(ctx.home, ['config']);
    const r = await backup.verifyBackup(backupEnv(ctx), b, ctx.env.MCP_BACKUP_PASSPHRASE || undefined);
    return { id: b.id, files: r.files, detail: r.detail };
  },
};

async function runtimeOf(ctx: StepContext) {
  const runtime = await modules.runtime();
  const platform = await runtime.loadPlatform(ctx.home);
  const { nullLogger } = await import('../../log.js');
  const rt = runtime.runtimeFor(platform, { home: ctx.home, env: ctx.env, log: nullLogger, signal: ctx.signal, echo: ctx.detail });
  return { runtime, platform, rt };
}

type RuntimeModule = Awaited<ReturnType<typeof modules.runtime>>;

function pick(runtime: RuntimeModule, platform: Awaited<ReturnType<RuntimeModule['loadPlatform']>>, names: string[]) {
  return runtime.selectServices(platform.services, names, { all: names.length === 0, allowEmpty: true });
}

const servicesStop: StepKind = {
  kind: 'services.stop',
  summary: 'stops `services` (all when empty) through the configured runtime (the runtime module); undo: starts them again',
  needs: 'runtime',
  rollbackPoint: true,
  mutates: true,
  describe: (p) => `stop ${strs(p.services).join(', ') || 'all services'}`,
  async run(ctx, p) {
    const { runtime, platform, rt } = await runtimeOf(ctx);
    const r = await rt.stop(pick(runtime, platform, strs(p.services)), { force: Boolean(p.force) });
    return { runtime: r.runtime, services: r.services, external: Boolean(r.external) };
  },
  async undo(ctx, p) {
    const { runtime, platform, rt } = await runtimeOf(ctx);
    await rt.start(runtime.dependencyOrder(pick(runtime, platform, strs(p.services))), {});
  },
};

const servicesStart: StepKind = {
  kind: 'services.start',
  summary: 'starts `services` (all when empty) in dependency order through the configured runtime (the runtime module); undo: stops them',
  needs: 'runtime',
  rollbackPoint: true,
  mutates: true,
  describe: (p) => `start ${strs(p.services).join(', ') || 'all services'}${p.version ? ` at ${str(p.version)}` : ''}`,
  async run(ctx, p) {
    const { runtime, platform, rt } = await runtimeOf(ctx);
    const r = await rt.start(runtime.dependencyOrder(pick(runtime, platform, strs(p.services))), { version: p.version ? str(p.version) : undefined });
    return { runtime: r.runtime, services: r.services, external: Boolean(r.external) };
  },
  async undo(ctx, p) {
    const { runtime, platform, rt } = await runtimeOf(ctx);
    await rt.stop(pick(runtime, platform, strs(p.services)), { force: false });
  },
};

/**
 * The platform as it was before a run changed its config (saved by services.handover): a service step
 * that moves a service to another runtime (v5 docker → v6 kubernetes) stops it there, and puts it back
 * there on undo.
 */
async function previousPlatform(ctx: StepContext, p: Record<string, unknown>) {
  if (!p.handover) return undefined;
  const file = join(dirname(ctx.dir), str(p.handover), 'previous.json');
  if (!(await exists(file))) return undefined;
  const runtime = await modules.runtime();
  return runtime.servicesOf(JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>);
}

async function moved(ctx: StepContext, p: Record<string, unknown>) {
  const now = await runtimeOf(ctx);
  const before = await previousPlatform(ctx, p);
  if (!before || before.runtime.type === now.platform.runtime.type) return { now };
  const { nullLogger } = await import('../../log.js');
  const rt = now.runtime.runtimeFor(before, { home: ctx.home, env: ctx.env, log: nullLogger, signal: ctx.signal, echo: ctx.detail });
  const [svc] = now.runtime.selectServices(before.services, [str(p.service)], {});
  return { now, before: { rt, svc } };
}

// The plan-time check of every service step reads the same config: parse it once per version of the file
// (a 10,000-phase plan would otherwise parse and validate it 10,000 times).
let servicesSeen: { home: string; key: string; services: unknown } | undefined;
async function plannedServices<R extends { loadPlatform(home: string): Promise<{ services: S }> }, S>(home: string, runtime: R): Promise<S> {
  // one synchronous stat per file: cheap beside 10,000 awaited fs calls
  const key = ['platform.json', 'platform.yaml']
    .map((n) => statSync(join(layout(home).config, n), { throwIfNoEntry: false }))
    .map((st) => `${st?.mtimeMs}:${st?.size}:${st?.ino}`)
    .join('|');
  if (servicesSeen?.home !== home || servicesSeen.key !== key) servicesSeen = { home, key, services: (await runtime.loadPlatform(home)).services };
  return servicesSeen.services as S;
}

/** Seconds a recreated container has to answer its health check (docker). */
const READY_SECONDS = 60;

async function untilHealthy(ctx: StepContext, platform: PlatformServices, svc: ServiceSpec, rt: Runtime): Promise<void> {
  if (platform.runtime.type !== 'docker') return;
  const rule = await import('../../health/rule.js');
  const [h] = await rule.untilHealthy(platform, [svc], { home: ctx.home, env: ctx.env, signal: ctx.signal, withinMs: READY_SECONDS * 1000, timeoutMs: 2000, states: () => rt.status([svc]) });
  if (!h?.healthy) throw new Error(`${svc.name} did not answer its health check within ${READY_SECONDS} s of being recreated: ${h?.detail ?? 'no answer'}`);
}

const serviceMigrate: StepKind = {
  kind: 'service.migrate',
  summary: "moves one service to the plan's version: recreate through the runtime (canary share first when the phase has a canary); when the run moved the platform to another runtime, the service then stops in the old one. Undo: the previous definition, in the previous runtime",
  needs: 'runtime',
  rollbackPoint: false,
  mutates: true,
  describe: (p) => `migrate ${str(p.service)}${p.canaryPercentage ? ` (canary ${p.canaryPercentage}%)` : ''}`,
  // the service must be in the installation's config: the dry run refuses what the run would
  async check(p, home) {
    const runtime = await modules.runtime();
    try {
      runtime.selectServices(await plannedServices(home, runtime), [str(p.service)], {});
      return undefined;
    } catch (e) {
      const err = e as Error & { hint?: string };
      return `${err.message}${err.hint ? ` (${err.hint})` : ''}; remove it from the plan or add it to the config`;
    }
  },
  async run(ctx, p) {
    const { now, before } = await moved(ctx, p);
    const [svc] = now.runtime.selectServices(now.platform.services, [str(p.service)], {});
    await saveState(ctx.dir, 'config', configFiles(ctx.home));
    const r = await now.rt.reset([svc]);
    // started is not ready: a canary gate measuring a container whose process is still booting sees a refused
    // connection (seen on a real engine); the step ends when the service answers its health check
    await untilHealthy(ctx, now.platform, svc, now.rt);
    // up in the new runtime first, then down in the old one: the service is never in neither
    if (before) await before.rt.stop([before.svc], { force: false });
    return { service: svc.name, runtime: r.runtime, external: Boolean(r.external), ...(before ? { from: before.rt.type } : {}) };
  },
  async undo(ctx, p) {
    const { now, before } = await moved(ctx, p);
    if (before) {
      const found = now.runtime.selectServices(now.platform.services, [str(p.service)], { allowEmpty: true });
      await before.rt.start([before.svc], {});
      // down in the new runtime, unless it never got there (no Deployment: nothing to stop)
      const there = found.length ? (await now.rt.status(found)).filter((s) => s.state !== 'missing').map((s) => s.name) : [];
      if (there.length) await now.rt.stop(found.filter((f) => there.includes(f.name)), { force: false });
      return;
    }
    await restoreState(ctx.dir, 'config');
    const { runtime, platform, rt } = await runtimeOf(ctx);
    const found = runtime.selectServices(platform.services, [str(p.service)], { allowEmpty: true });
    if (found.length) await rt.reset(found);
  },
};

const servicesHandover: StepKind = {
  kind: 'services.handover',
  summary: "placed before a run changes the config: keeps the platform's services as they are (the service steps after it use it to leave the old runtime); undo: recreates `services` from the config as it is then, so a rollback that put the previous config back leaves them running its definitions",
  needs: 'runtime',
  rollbackPoint: false,
  mutates: true,
  describe: (p) => `keep the services' current definitions, to hand ${strs(p.services).join(', ')} over (and back on rollback)`,
  async run(ctx, p) {
    const stored = await readStoredConfig(ctx.home);
    await mkdir(ctx.dir, { recursive: true });
    await writeFileAtomic(join(ctx.dir, 'previous.json'), JSON.stringify(stored.doc));
    return { services: strs(p.services), runtime: (await runtimeOf(ctx)).platform.runtime.type };
  },
  async undo(ctx, p, result) {
    const { runtime, platform, rt } = await runtimeOf(ctx);
    // moved to another runtime: each service step's undo already started it in this one
    if (result?.runtime !== undefined && result.runtime !== platform.runtime.type) return;
    // a name the restored config does not have was not running before either: nothing to recreate
    const found = strs(p.services).flatMap((n) => {
      try {
        return runtime.selectServices(platform.services, [n], {});
      } catch {
        return [];
      }
    });
    if (found.length) await rt.reset([...new Set(found)]);
  },
};

const healthCheck: StepKind = {
  kind: 'health.check',
  summary: 'every service (or `services`) is healthy by the one rule of docs/runtime.md: running in its runtime, and its health check answers healthy (runtime none: the check alone; an external service that does not answer is reported, not failed)',
  needs: 'runtime',
  rollbackPoint: false,
  mutates: false,
  async run(ctx, p) {
    const { runtime, platform, rt } = await runtimeOf(ctx);
    const services = pick(runtime, platform, strs(p.services));
    const states = await rt.status(services);
    const { platformHealth } = await import('../../health/rule.js');
    const judged = await platformHealth(platform, services, { home: ctx.home, env: ctx.env, signal: ctx.signal, states });
    const bad = judged.filter((h) => !h.healthy);
    if (bad.length) throw new Error(`unhealthy: ${bad.map((h) => `${h.name} (${h.detail})`).join(', ')}`);
    return { services: judged.length, external: judged.filter((h) => h.external).length };
  },
};

const configConvert: StepKind = {
  kind: 'config.convert',
  summary: 'transforms the config in `source` (a directory) to version `to` and writes it into `target` (the config module); undo: the target as it was',
  needs: 'config',
  rollbackPoint: true,
  mutates: true,
  async run(ctx, p) {
    const config = await modules.config();
    const src = [join(str(p.source), 'platform.json'), join(str(p.source), 'platform.yaml')];
    let file: string | undefined;
    for (const f of src) if (await readFile(f).then(() => true, () => false)) file = f;
    if (!file) throw new Error(`${str(p.source)} holds no platform.yaml or platform.json`);
    const { readInputFile, parseJsonText, parseYamlText } = await import('../../input.js');
    const text = await readInputFile(file);
    const doc = (file.endsWith('.json') ? parseJsonText(text, file) : parseYamlText(text, file)) as Record<string, any>;
    const targets = [join(str(p.target), 'platform.json'), join(str(p.target), 'platform.yaml')];
    await saveState(ctx.dir, 'target', targets);
    const out = await config.transformConfig(doc, String(doc.version), str(p.to));
    const name = Number(str(p.to).split('.')[0]) >= 5 ? 'platform.json' : 'platform.yaml';
    const body = name.endsWith('.json') ? JSON.stringify(out.config, null, 2) + '\n' : (await import('js-yaml')).default.dump(out.config);
    await writeFileAtomic(join(str(p.target), name), body);
    return { file: join(str(p.target), name), notes: out.notes ?? [], manualActions: out.manualActions ?? [] };
  },
  async undo(ctx) {
    await restoreState(ctx.dir, 'target');
  },
};

export const STEP_KINDS: StepKind[] = [
  configConvert,
  noop,
  wait,
  checkVersion,
  checkDisk,
  versionRecord,
  configSet,
  verifyStep,
  configValidate,
  configTransform,
  dbMigrate,
  backupCreate,
  backupVerify,
  servicesStop,
  servicesStart,
  serviceMigrate,
  servicesHandover,
  healthCheck,
  benchmarkCompare,
  benchmarkBaseline,
  tlsConfigure,
  securityScan,
  ...PROMOTION_STEPS,
  ...BLUEGREEN_STEPS,
];

export function defaultRegistry(): Map<string, StepKind> {
  return new Map(STEP_KINDS.map((k) => [k.kind, k]));
}

/** Is there a config at all (used by plan-time checks of version-dependent steps). */
export async function hasConfig(home: string): Promise<boolean> {
  return Boolean(await configPath(home));
}

export async function readConfigText(home: string): Promise<string | undefined> {
  const p = await configPath(home);
  return p ? readFile(p.path, 'utf8') : undefined;
}
