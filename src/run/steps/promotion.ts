// The steps of a promotion (the guide's production-migration.yaml) that act across homes: the plan runs in the
// source's home (staging), and each step names the environment whose home it acts on (docs/environments.md).
//   check.capacity   target: room for the source's data, its database reachable
//   backup.snapshot  source: the named snapshot is a verified backup (made when missing)
//   config.overlay   target: the environment's overlay on its own config (undo: the config as it was)
//   backup.ship      target: the source's export, re-encrypted with the target's passphrase, in its backups
//   config.endpoints target: its endpoints are its own, none of them the source's
//   config.limits    target: the production profile of resource limits (undo: the config as it was)
//   test.suite       target: `mcp test all [--comprehensive]` there, as its own process
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, open, readFile, rename, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { StepContext, StepKind } from './types.js';
import { saveState, restoreState } from './snapshot.js';
import { backupEnv, modules } from './modules.js';
import { layout } from '../../home.js';
import { readStoredConfig } from '../../config/store.js';
import { DEFAULT_LIMITS } from '../../config/env.js';
import { filesUnder, writeFileAtomic } from '../../fsutil.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : String(v));
const isMap = (v: unknown): v is Record<string, any> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);


/** The home of the environment a step's params name as its counterpart (the promotion's source). */
function sourceHome(ctx: StepContext, p: Record<string, unknown>): string {
  const name = str(p.sourceEnvironment);
  if (!name) return ctx.runHome;
  const h = ctx.homeOf(name);
  if (!h) throw new Error(`no home is known for the ${name} environment: mcp environments add ${name} --home DIR`);
  return h;
}

/** Bytes under a directory (regular files; links not followed). */
async function bytesUnder(dir: string): Promise<number> {
  let n = 0;
  for (const p of await filesUnder(dir)) n += (await lstat(p)).size;
  return n;
}

const mb = (bytes: number) => Math.ceil(bytes / 1048576);

/** The config's own environment must be the one the step acts on: a promotion never relabels a home. */
async function targetConfig(ctx: StepContext) {
  const cfg = await readStoredConfig(ctx.home);
  const own = typeof cfg.doc.environment === 'string' && cfg.doc.environment ? cfg.doc.environment : 'development';
  if (ctx.environment && own !== ctx.environment) {
    throw new Error(`the home ${ctx.home} is the ${own} environment, not ${ctx.environment}: register the ${ctx.environment} home (mcp environments add ${ctx.environment} --home DIR)`);
  }
  return cfg;
}

export const checkCapacity: StepKind = {
  kind: 'check.capacity',
  summary: "pre-check on the target: free disk for the source's data and database (`factor` × their size, at least `minMb`), the target's database reachable, and on Kubernetes the ready nodes' allocatable CPU and memory against the requests of its services",
  rollbackPoint: false,
  mutates: false,
  describe: (p) => `check the target has room for the ${str(p.sourceEnvironment) || 'source'} data and its database answers`,
  async run(ctx, p) {
    const src = layout(sourceHome(ctx, p));
    // the data files and the embedded database (state/pglite) are what a restore writes there
    const need = Math.max(Number(p.minMb ?? 100), mb((await bytesUnder(src.data)) * Number(p.factor ?? 2)) + mb(await bytesUnder(join(src.state, 'pglite'))) * Number(p.factor ?? 2));
    const s = await statfs(ctx.home);
    const freeMb = Math.floor((Number(s.bavail) * Number(s.bsize)) / 1048576);
    if (freeMb < need) throw new Error(`${ctx.home} has ${freeMb} MB free; the source's data and database need ${need} MB there: free space or move the home`);
    const cluster = await clusterCapacity(ctx);
    const db = await modules.db();
    const conn = await db.openDatabase({ home: ctx.home, env: ctx.env, command: `mcp run ${ctx.runId}`, signal: ctx.signal });
    let database: string;
    try {
      database = conn.display;
      if (conn.kind === 'mongo') await conn.db.command({ ping: 1 });
      else await conn.query('SELECT 1');
    } finally {
      await conn.close();
    }
    ctx.detail(`${freeMb} MB free (${need} MB needed); database ${database} answers`);
    return { freeMb, neededMb: need, database, ...(cluster ? { cluster } : {}) };
  },
};

/**
 * On Kubernetes: the nodes' allocatable CPU and memory (Ready and schedulable nodes) against what the target's
 * config would request once deployed (each Deployment's container requests × replicas, as `mcp deploy`
 * converts it). Undefined for other runtimes.
 */
async function clusterCapacity(ctx: StepContext): Promise<Record<string, unknown> | undefined> {
  const cfg = await readStoredConfig(ctx.home);
  const rt = isMap(cfg.doc.runtime) ? cfg.doc.runtime : {};
  if (rt.type !== 'kubernetes') return undefined;
  const { projectFromPlatform } = await import('../../k8s/platform.js');
  const { convertCompose, DEFAULTS } = await import('../../k8s/convert.js');
  const { cpuMillis, memoryBytes } = await import('../../k8s/quantity.js');
  const { run } = await import('../../runtime/exec.js');
  const src = projectFromPlatform(cfg.doc as Record<string, unknown>, ctx.home, cfg.path);
  const namespace = typeof rt.namespace === 'string' ? rt.namespace : (src.namespace ?? DEFAULTS.namespace);
  const conv = convertCompose(src.project, { ...DEFAULTS, namespace });
  let wantCpu = 0;
  let wantMem = 0;
  for (const o of conv.objects) {
    if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet') continue;
    const spec = (o as { spec?: any }).spec ?? {};
    const replicas = Number(spec.replicas ?? 1);
    for (const c of spec.template?.spec?.containers ?? []) {
      wantCpu += cpuMillis(String(c.resources?.requests?.cpu ?? '0')) * replicas;
      wantMem += memoryBytes(String(c.resources?.requests?.memory ?? '0')) * replicas;
    }
  }
  const context = typeof rt.context === 'string' ? ['--context', rt.context] : [];
  const r = await run('kubectl', [...context, 'get', 'nodes', '-o', 'json'], { env: ctx.env, signal: ctx.signal, echo: ctx.detail, timeoutMs: 60_000 });
  let nodes: any[];
  try {
    nodes = (JSON.parse(r.stdout) as { items?: any[] }).items ?? [];
  } catch {
    throw new Error(`kubectl get nodes did not print JSON: ${r.stdout.slice(0, 120)}`);
  }
  let haveCpu = 0;
  let haveMem = 0;
  let usable = 0;
  for (const n of nodes) {
    const ready = (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
    if (!ready || n.spec?.unschedulable === true) continue;
    usable++;
    haveCpu += cpuMillis(String(n.status?.allocatable?.cpu ?? '0'));
    haveMem += memoryBytes(String(n.status?.allocatable?.memory ?? '0'));
  }
  const gi = (b: number) => `${(b / 1024 ** 3).toFixed(1)}Gi`;
  if (haveCpu < wantCpu || haveMem < wantMem) {
    throw new Error(`the cluster's ${usable} ready node(s) can allocate ${haveCpu}m CPU and ${gi(haveMem)} memory; the target's services request ${wantCpu}m and ${gi(wantMem)}: add nodes or lower the requests`);
  }
  ctx.detail(`cluster: ${usable} ready node(s), ${haveCpu}m CPU / ${gi(haveMem)} allocatable, ${wantCpu}m / ${gi(wantMem)} requested`);
  return { nodes: usable, allocatable: { cpuMillis: haveCpu, memoryBytes: haveMem }, requested: { cpuMillis: wantCpu, memoryBytes: wantMem } };
}

export const backupSnapshot: StepKind = {
  kind: 'backup.snapshot',
  summary: 'the backup named `name` exists and verifies (every SHA-256 against its manifest); a full backup of that name is made first when there is none (kept on rollback)',
  needs: 'backup',
  rollbackPoint: false,
  mutates: false,
  describe: (p) => `verify the snapshot ${str(p.name)} (made if missing)`,
  async check(p) {
    return /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(str(p.name)) ? undefined : 'params.name must be a backup name (letters, digits, dot, dash, underscore)';
  },
  async run(ctx, p) {
    const backup = await modules.backup();
    const name = str(p.name);
    const { backups } = await backup.listBackups(ctx.home);
    const named = backups.filter((b) => b.sidecar.name === name || b.id === name);
    let b = named[0];
    let created = false;
    if (!b) {
      ctx.detail(`no backup named ${name}: making it`);
      const r = await backup.createBackup(backupEnv(ctx), { scope: 'full', name });
      b = await backup.findBackup(ctx.home, r.sidecar.id);
      created = true;
    }
    const v = await backup.verifyBackup(backupEnv(ctx), b, ctx.env.MCP_BACKUP_PASSPHRASE || undefined);
    return { id: b.id, name, created, files: v.files, detail: v.detail };
  },
};

/** SHA-256 of the home's config file(s), to tell whether anyone changed it after a step wrote it. */
async function configDigest(home: string): Promise<string> {
  const h = createHash('sha256');
  for (const n of ['platform.json', 'platform.yaml']) {
    const b = await readFile(join(layout(home).config, n)).catch(() => undefined);
    h.update(`${n}:${b ? b.length : -1}:`);
    if (b) h.update(b);
  }
  return h.digest('hex');
}

/** A step that rewrites the target's config: saved first, written through writeConfig (validated, atomic). */
async function rewriteConfig(ctx: StepContext, change: (doc: Record<string, any>, version: string) => string[]): Promise<{ changes: string[]; configSha?: string }> {
  const cfg = await targetConfig(ctx);
  const doc = structuredClone(cfg.doc) as Record<string, any>;
  const changes = change(doc, cfg.version);
  if (!changes.length) return { changes };
  await saveState(ctx.dir, 'config', [layout(ctx.home).config]);
  const config = await modules.config();
  await config.writeConfig(ctx.home, doc, { where: `step ${ctx.stepId}` });
  return { changes, configSha: await configDigest(ctx.home) };
}

/**
 * Undo of a config step: the config as it was — unless someone changed it after the step wrote it (a config
 * import, a deploy, days later): that is refused, naming the saved copy, rather than thrown away.
 */
async function undoConfig(ctx: StepContext, result: Record<string, unknown> | undefined): Promise<void> {
  if (typeof result?.configSha === 'string' && (await configDigest(ctx.home)) !== result.configSha) {
    throw new Error(`the config of ${ctx.home} changed after step ${ctx.stepId} wrote it: not undone, so that change is kept; the config from before the step is in ${join(ctx.dir, 'config')}`);
  }
  await restoreState(ctx.dir, 'config');
}

export const configOverlay: StepKind = {
  kind: 'config.overlay',
  summary: "the `environment` overlay on the home's own config (TLS on outside development, limits in production, then its `environments.<name>` section); undo: the config as it was",
  needs: 'config',
  rollbackPoint: false,
  mutates: true,
  describe: (p) => `apply the ${str(p.environment)} overlay to the target's own config`,
  async check(p) {
    return str(p.environment) ? undefined : 'params.environment names the overlay (development, staging, production)';
  },
  async run(ctx, p) {
    const config = await modules.config();
    const r = await rewriteConfig(ctx, (doc) => {
      const o = config.applyEnvOverlay(doc, str(p.environment));
      for (const k of Object.keys(doc)) delete doc[k];
      Object.assign(doc, o.doc);
      return o.changes;
    });
    for (const c of r.changes) ctx.detail(c);
    return r;
  },
  async undo(ctx, _p, result) {
    await undoConfig(ctx, result);
  },
};

/** The production profile: a service without limits gets these; one that has its own (by hand, or from its environment's overlay) keeps them. */
export const PRODUCTION_LIMITS = DEFAULT_LIMITS;

export const configLimits: StepKind = {
  kind: 'config.limits',
  summary: `the production profile on the target: every service without CPU / memory limits gets ${PRODUCTION_LIMITS.cpu} / ${PRODUCTION_LIMITS.memory}; limits already set (by hand or by its environments.<name> overlay) are kept; undo: the config as it was`,
  needs: 'config',
  rollbackPoint: false,
  mutates: true,
  describe: () => `set production limits (${PRODUCTION_LIMITS.cpu} / ${PRODUCTION_LIMITS.memory}) where a service has none`,
  async run(ctx) {
    let kept = 0;
    const set: string[] = [];
    const r = await rewriteConfig(ctx, (doc, version) => {
      const [cpuKey, memKey] = /^4\./.test(version) ? ['max_cpu', 'max_memory'] : ['maxCpu', 'maxMemory'];
      for (const s of Array.isArray(doc.services) ? doc.services : []) {
        if (!isMap(s)) continue;
        if (s[cpuKey] !== undefined && s[memKey] !== undefined) {
          kept++;
          continue;
        }
        s[cpuKey] ??= PRODUCTION_LIMITS.cpu;
        s[memKey] ??= PRODUCTION_LIMITS.memory;
        set.push(str(s.name));
      }
      return set;
    });
    ctx.detail(`${set.length} service(s) got the production limits, ${kept} kept their own`);
    return { set, kept, profile: PRODUCTION_LIMITS, ...(r.configSha ? { configSha: r.configSha } : {}) };
  },
  async undo(ctx, _p, result) {
    await undoConfig(ctx, result);
  },
};

/** host[:port] of a URL, never its credentials */
function hostOf(url: unknown): string | undefined {
  if (typeof url !== 'string' || !url) return undefined;
  try {
    const u = new URL(url);
    return u.host || undefined;
  } catch {
    return undefined;
  }
}

function endpoints(doc: Record<string, any>): Record<string, string> {
  const out: Record<string, string> = {};
  const api = doc.api?.host ?? doc.platform?.api?.host;
  if (typeof api === 'string' && api) out['api.host'] = api;
  const db = hostOf(doc.database?.url);
  if (db) out['database.url (host)'] = db;
  return out;
}

export const configEndpoints: StepKind = {
  kind: 'config.endpoints',
  summary: "check on the target: its endpoints (api.host, the database host) come from its own config and none is the source's; the config is not changed",
  rollbackPoint: false,
  mutates: false,
  describe: (p) => `check the target's endpoints are its own, not ${str(p.sourceEnvironment) || 'the source'}'s`,
  async run(ctx, p) {
    const target = endpoints((await targetConfig(ctx)).doc as Record<string, any>);
    const source = endpoints((await readStoredConfig(sourceHome(ctx, p))).doc as Record<string, any>);
    const shared = Object.keys(target).filter((k) => source[k] !== undefined && source[k] === target[k]);
    if (shared.length) {
      throw new Error(`the target's ${shared.map((k) => `${k} ${target[k]}`).join(' and ')} ${shared.length > 1 ? 'are' : 'is'} ${str(p.sourceEnvironment) || 'the source'}'s: give the target its own (mcp config import --env ${ctx.environment ?? 'TARGET'} --file F), then run again`);
    }
    for (const [k, v] of Object.entries(target)) ctx.detail(`${k}: ${v}`);
    return { endpoints: target };
  },
};

export const backupShip: StepKind = {
  kind: 'backup.ship',
  summary: "the backup an earlier step made (`from`) copied into the target's backups, encrypted with the target's own passphrase (MCP_<ENV>_BACKUP_PASSPHRASE or backup.passphrase in its secrets file) and verified there; undo: the copy removed",
  needs: 'backup',
  rollbackPoint: false,
  mutates: true,
  describe: (p) => `encrypt the export of ${str(p.from)} for the target and put it in its backups`,
  async check(p) {
    return str(p.from) ? undefined : 'params.from names the step whose backup is shipped';
  },
  async run(ctx, p) {
    const backup = await modules.backup();
    const { environmentBackupPassphrase, backupPassphraseVariable, secretsFile } = await import('../../config/env-secrets.js');
    const made = ctx.resultOf(str(p.from));
    if (!made || typeof made.id !== 'string') throw new Error(`step ${str(p.from)} has made no backup in this run: nothing to ship`);
    const environment = ctx.environment ?? 'target';
    const passphrase = await environmentBackupPassphrase(ctx.home, ctx.env, environment);
    if (!passphrase) {
      throw new Error(`the package is encrypted for ${environment} with ${environment}'s own passphrase, and it has none: set ${backupPassphraseVariable(environment)}, or "backup.passphrase" in ${secretsFile(ctx.home)} (mode 600)`);
    }
    const marker = join(ctx.dir, 'shipped.json');
    const ours = await readFile(marker, 'utf8').then(() => true, () => false);
    const there = await backup.findBackup(ctx.home, made.id).catch(() => undefined);
    if (there?.sidecar.encryption && ours) {
      // an earlier attempt of this step shipped it: verified again (and removed if the run is undone)
      const v = await backup.verifyBackup(backupEnv(ctx), there, passphrase);
      return { id: there.id, archive: there.archivePath, bytes: there.sidecar.archive.size, encrypted: true, files: v.files };
    }
    if (there) throw new Error(`the ${environment} home already holds a backup ${made.id} this step did not write: the source and the target must be two homes (a promotion into its own home has nothing to ship)`);
    // written before anything is created: the undo removes only what this step made
    await mkdir(ctx.dir, { recursive: true });
    await writeFileAtomic(marker, JSON.stringify({ id: made.id }) + '\n');
    const b = await backup.findBackup(sourceHome(ctx, p), made.id);
    const dir = layout(ctx.home).backups;
    const file = `${b.id}.tar.gz.enc`;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, backup.partialName(b.id));
    const sha = createHash('sha256');
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _e, cb) {
        sha.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    try {
      const { encryptStream, decryptStream } = await import('../../backup/crypto.js');
      const stages: NodeJS.ReadWriteStream[] = [];
      if (b.sidecar.encryption) {
        const own = ctx.env.MCP_BACKUP_PASSPHRASE;
        if (!own) throw new Error(`backup ${b.id} is encrypted: set MCP_BACKUP_PASSPHRASE to read it`);
        stages.push(decryptStream(own, b.archivePath));
      }
      stages.push(await encryptStream(passphrase), count);
      await pipeline(createReadStream(b.archivePath), ...(stages as [NodeJS.ReadWriteStream]), createWriteStream(tmp, { mode: 0o600 }));
      const fh = await open(tmp, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, join(dir, file));
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    // received from another home: not production's own latest backup until it is restored there
    const sidecar = backup.received({ ...b.sidecar, archive: { file, size, sha256: sha.digest('hex') }, encryption: { algorithm: 'aes-256-gcm' as const, kdf: 'scrypt' as const } });
    delete (sidecar as { verified?: unknown }).verified;
    await backup.writeSidecar(ctx.home, sidecar);
    const shipped = await backup.findBackup(ctx.home, b.id);
    // decrypted with the target's passphrase and every file checked there: the package is whole
    const v = await backup.verifyBackup(backupEnv(ctx), shipped, passphrase);
    ctx.detail(`backup ${b.id} encrypted for ${environment}: ${shipped.archivePath} (${size} bytes, ${v.files} files verified)`);
    return { id: b.id, archive: shipped.archivePath, bytes: size, encrypted: true, files: v.files };
  },
  async undo(ctx) {
    // only what this step made: its marker names it (written before the copy was started)
    const marker = await readFile(join(ctx.dir, 'shipped.json'), 'utf8').catch(() => undefined);
    if (!marker) return;
    const id = str((JSON.parse(marker) as { id?: string }).id);
    if (!id) return;
    const backup = await modules.backup();
    const b = await backup.findBackup(ctx.home, id).catch(() => undefined);
    if (b?.sidecar.incoming) await backup.removeBackup(b);
    await rm(join(layout(ctx.home).backups, `${id}.tar.gz.enc`), { force: true });
    await rm(join(ctx.dir, 'shipped.json'), { force: true });
  },
};

/** The built `mcp` binary beside this module (dist/src/run/steps → dist/bin/mcp.js). */
const mcpBin = () => fileURLToPath(new URL('../../../bin/mcp.js', import.meta.url));

export const testSuite: StepKind = {
  kind: 'test.suite',
  summary: "runs `mcp test all` (with `comprehensive`: logs and performance against the baseline too) on the step's home, as its own process, and fails naming the checks that failed",
  rollbackPoint: false,
  mutates: false,
  describe: (p) => `mcp test all${p.comprehensive ? ' --comprehensive' : ''} on the home`,
  async run(ctx, p) {
    const { execa } = await import('execa');
    const args = [mcpBin(), '--home', ctx.home, 'test', 'all', ...(p.comprehensive ? ['--comprehensive'] : []), '--json'];
    ctx.detail(`$ mcp --home ${ctx.home} test all${p.comprehensive ? ' --comprehensive' : ''} --json`);
    const r = await execa(process.execPath, args, { env: { ...ctx.env, NO_COLOR: '1', MCP_HOME: ctx.home }, extendEnv: false, reject: false, cancelSignal: ctx.signal, stdin: 'ignore' });
    let doc: { checks?: Array<{ id: string; title: string; status: string; detail: string }>; error?: { message?: string } } | undefined;
    try {
      doc = JSON.parse(r.stdout);
    } catch {
      doc = undefined;
    }
    const checks = doc?.checks ?? [];
    const failed = checks.filter((c) => c.status === 'fail');
    if (r.exitCode !== 0 || !doc) {
      const why = failed.length ? failed.map((c) => `${c.title}: ${c.detail}`).join('; ') : (doc?.error?.message ?? (r.stderr.trim().split('\n').pop() || `exit ${r.exitCode}`));
      throw new Error(`mcp test all on ${ctx.home} failed (exit ${r.exitCode}): ${why}`);
    }
    for (const c of checks) ctx.detail(`${c.status} ${c.title}: ${c.detail}`);
    return { checks: checks.length, passed: checks.filter((c) => c.status === 'pass').length, skipped: checks.filter((c) => c.status === 'skip').length };
  },
};

export const PROMOTION_STEPS: StepKind[] = [checkCapacity, backupSnapshot, configOverlay, configLimits, configEndpoints, backupShip, testSuite];
