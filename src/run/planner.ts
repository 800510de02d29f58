// Built-in plans: version upgrades (the guide's sequence — pre-checks, backup, stop, config transform,
// database migrations, start, verify — each step with its undo and the rollback points), environment
// promotions, and config-directory conversions (`--source DIR --target DIR`). Plus the fingerprint a
// saved plan carries of the state it was made against.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { makePlan, sha256, PLAN_API_VERSION, type Plan, type Fingerprint, type PlanInput } from './plan.js';
import { resolveKnown, majorOf, parseVersion } from '../versions.js';
import { configPath, readStoredConfig } from '../config/store.js';
import { layout } from '../home.js';
import { invalidInput, preconditionError, integrityError } from '../errors.js';
import { readHistory } from '../version-history.js';
import { ENVIRONMENTS } from '../config/environment-names.js';

type StepIn = PlanInput['phases'][number]['steps'][number];
type PhaseIn = PlanInput['phases'][number];

export const MANUAL_ACTIONS: Record<string, string[]> = {
  '4-5': [
    'API clients: endpoints moved from /api/ to /api/v1/ — update every caller',
    'API clients: static bearer tokens are replaced by JWT with refresh — issue new credentials to every client',
    'references to service names: snake_case became kebab-case (filesystem_mcp → filesystem-mcp) — update dashboards, scripts and DNS',
  ],
  '5-6': [
    'v6 is Kubernetes-native: generate and review the manifests (mcp k8s) and deploy to your cluster',
    'authentication is multi-provider: review auth.providers (jwt key rotation, oauth2) before exposing the API',
    'configuration is API-based and networking uses a service mesh: configure the mesh and the config API for your cluster',
  ],
};

/** One major hop's steps by phase: the upgrade runs them all; a plan of service phases runs the platform's part. */
function hopPhases(from: string, to: string, prefix: string) {
  const fm = majorOf(from);
  const id = (s: string) => `${prefix}${s}`;
  const phase = (name: string, list: StepIn[]): PhaseIn => ({ name: `${prefix}${name}`, steps: list });
  return {
    preChecks: phase('pre-checks', [
      { id: id('check-version'), kind: 'check.version', title: `installed version is ${fm}.x`, params: { expect: `${fm}.x` } },
      { id: id('check-disk'), kind: 'check.disk-space', title: 'enough free disk space', params: { minMb: 100 } },
      { id: id('validate-config'), kind: 'config.validate', title: `config validates as ${from}`, params: { version: from } },
    ]),
    backup: phase('backup', [
      { id: id('backup'), kind: 'backup.create', title: `back up everything (v${fm}-final-backup)`, params: { name: `v${fm}-final-backup`, scope: 'full' }, rollbackPoint: true },
      { id: id('record-from'), kind: 'version.record', title: `keep the ${from} config in the version history`, params: { version: from } },
    ]),
    stop: phase('stop', [{ id: id('stop'), kind: 'services.stop', title: 'stop all services', params: { services: [] }, rollbackPoint: true }]),
    config: phase('config', [{ id: id('config'), kind: 'config.transform', title: `transform the config ${from} → ${to}`, params: { from, to } }]),
    database: phase('database', [{ id: id('database'), kind: 'db.migrate', title: `database migrations to ${to}`, params: { from, to } }]),
    recordTo: { id: id('record-to'), kind: 'version.record', title: `record ${to} as the current version`, params: { version: to } } as StepIn,
    start: { id: id('start'), kind: 'services.start', title: `start all services at ${to}`, params: { services: [], version: to }, rollbackPoint: true } as StepIn,
    verify: phase('verify', [{ id: id('verify'), kind: 'verify', title: `verify the installation is a healthy ${to}`, params: { version: to }, rollbackPoint: true }]),
  };
}

function hop(from: string, to: string, prefix: string): PhaseIn[] {
  const h = hopPhases(from, to, prefix);
  return [h.preChecks, h.backup, h.stop, h.config, h.database, { name: `${prefix}start`, steps: [h.recordTo, h.start] }, h.verify];
}

/** The step a platform-moving plan keeps the services' previous definitions in. */
const HANDOVER = 'services-handover';

/**
 * A plan of service phases (the guide's migration-plan.yaml, rolling-migration.yaml) whose version is
 * newer than the installation's moves the platform with it: each hop's pre-checks, backup, config
 * transform, database migrations and version record first — no stop and start of everything, the
 * plan's phases move the services one by one, in its order, timeouts and parallelism — then verify.
 * At the installed release it moves services only; an older version is refused (that is a rollback).
 */
export function withPlatform(plan: Plan, installed: string | undefined): Plan {
  if (plan.kind !== 'service-migration' || !plan.to || !installed) return plan;
  const t = parseVersion(plan.to, 'version');
  const f = parseVersion(installed);
  if (t.major === f.major) return plan;
  if (t.major < f.major) {
    throw preconditionError(`the plan moves services to ${plan.to}, older than the installed ${installed}`, { hint: `to go back, use mcp-migrate rollback --to ${plan.to}` });
  }
  const path = upgradePath(installed, plan.to);
  const before: PhaseIn[] = [];
  let verify: PhaseIn | undefined;
  const services = [...new Set(plan.phases.flatMap((p) => p.steps.map((s) => String(s.params.service))))];
  for (let i = 1; i < path.length; i++) {
    const h = hopPhases(path[i - 1]!, path[i]!, path.length > 2 ? `v${majorOf(path[i]!)}.` : '');
    if (i === 1) {
      // before the config changes: the service steps leave the old runtime by it, and undone last of
      // all (config and database back), it recreates the services from the config they ran before
      h.backup.steps.push({ id: HANDOVER, kind: 'services.handover', title: `keep the services' ${path[0]} definitions (hand over ${services.length} service(s), back on rollback)`, params: { services } });
    }
    before.push(h.preChecks, h.backup, h.config, h.database, { name: h.recordTo.id.replace(/record-to$/, 'version'), steps: [h.recordTo] });
    verify = h.verify;
  }
  // the plan's phase names are the operator's: a platform phase that shares one gets a prefix
  const taken = new Set(plan.phases.map((p) => p.name));
  const own = [...before, verify!].map((p) => (taken.has(p.name) ? { ...p, name: `platform-${p.name}` } : p));
  return makePlan({
    ...plan,
    kind: 'upgrade',
    name: `${plan.name} (platform ${path.join(' → ')})`,
    from: path[0],
    to: path[path.length - 1],
    phases: [
      ...own.slice(0, -1),
      ...plan.phases.map((p) => ({ ...p, steps: p.steps.map((s) => (s.kind === 'service.migrate' ? { ...s, params: { ...s.params, handover: HANDOVER } } : s)) })),
      own.at(-1)!,
    ],
  });
}

/** The upgrade path between two versions, one major at a time: 4.2 → 5.0 → 6.0. */
export function upgradePath(from: string, to: string): string[] {
  const f = parseVersion(from);
  const t = parseVersion(to);
  if (t.major < f.major || (t.major === f.major && (t.minor ?? 0) <= (f.minor ?? 0))) {
    throw preconditionError(`no upgrade path from ${from} to ${to}: the target is not newer`, { hint: 'to go back, use mcp-migrate rollback --to VERSION' });
  }
  if (t.major === f.major) throw preconditionError(`${from} → ${to} is a minor update; this planner builds major upgrades (4.x → 5.x → 6.0)`, { hint: 'minor versions are config-compatible: mcp config validate' });
  const path = [resolveKnown(from, '--from', 'newest')];
  for (let m = f.major + 1; m <= t.major; m++) path.push(m === t.major ? resolveKnown(to, '--to', 'oldest') : resolveKnown(`${m}.x`, '--to', 'oldest'));
  return path;
}

export function upgradePlan(from: string, to: string, extra: { runtime?: string } = {}): Plan {
  const path = upgradePath(from, to);
  const phases: PhaseIn[] = [];
  const manual: string[] = [];
  for (let i = 1; i < path.length; i++) {
    // the config transform reports each hop's hand work precisely (its manualActions)
    phases.push(...hop(path[i - 1]!, path[i]!, path.length > 2 ? `v${majorOf(path[i]!)}.` : ''));
  }
  if (extra.runtime === 'none') manual.push('runtime none: the services run outside mcp — upgrade and restart them yourself at the new version, then run mcp health --verbose');
  return makePlan({
    apiVersion: PLAN_API_VERSION,
    name: `upgrade ${path.join(' → ')}`,
    kind: 'upgrade',
    from: path[0],
    to: path[path.length - 1],
    createdAt: new Date().toISOString(),
    phases,
    rollback: { automatic: true, conditions: [], noData: 'fail' },
    manualActions: manual,
  });
}

/**
 * `mcp-migrate plan --source-env A --target-env B`: the promotion of this home (A) into B's own home, as the
 * guide's production-migration.yaml writes it — the same actions and step kinds, so the same checks, undo and
 * blue/green — generated here as that file's text and read by the same reader. B's home keeps its own config;
 * this home is never relabelled. set_production_limits only for production; performance_tests only when this
 * home has a saved benchmark baseline to hold B to.
 */
export function promotionPlanText(source: string, target: string, opts: { snapshot: string; baseline: boolean }): string {
  for (const [flag, e] of [['--source-env', source], ['--target-env', target]] as const) {
    if (!(ENVIRONMENTS as readonly string[]).includes(e)) throw invalidInput(`${flag} '${e}' is not an environment`, { hint: `use ${ENVIRONMENTS.join(', ')}` });
  }
  const doc = {
    migration: {
      name: `promote ${source} → ${target}`,
      source: { environment: source, snapshot: opts.snapshot },
      target: { environment: target },
      steps: [
        { name: 'pre-flight', actions: ['validate_source', 'check_target_capacity', 'verify_backups'] },
        { name: 'data_sync', actions: ['export_staging_data', 'transform_for_production', 'encrypt_sensitive_data'] },
        { name: 'configuration', actions: ['update_endpoints', 'configure_ssl', ...(target === 'production' ? ['set_production_limits'] : [])] },
        { name: 'deployment', strategy: 'blue_green', actions: ['deploy_blue_environment', 'run_health_checks', 'switch_traffic', 'monitor_metrics'] },
        { name: 'validation', actions: ['functional_tests', ...(opts.baseline ? ['performance_tests'] : []), 'security_scan'] },
      ],
    },
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

/** `mcp-migrate plan --source DIR --target DIR`: convert the config in DIR to the target's version, into the target directory. */
export async function convertPlan(sourceDir: string, targetDir: string, to?: string): Promise<Plan> {
  const src = await readStoredConfigIn(sourceDir, '--source');
  let target = to;
  if (!target) {
    const existing = await readStoredConfigIn(targetDir, '--target').catch(() => undefined);
    target = existing ? existing.version : `${majorOf(src.version) + 1}.0`;
  }
  const targetV = resolveKnown(target, '--to', 'oldest');
  upgradePath(src.version, targetV);
  return makePlan({
    apiVersion: PLAN_API_VERSION,
    name: `convert ${sourceDir} (${src.version}) → ${targetDir} (${targetV})`,
    kind: 'config-change',
    from: src.version,
    to: targetV,
    createdAt: new Date().toISOString(),
    phases: [
      {
        name: 'convert',
        steps: [
          { id: 'convert', kind: 'config.convert', title: `transform ${src.path} ${src.version} → ${targetV} into ${targetDir}`, params: { source: sourceDir, target: targetDir, to: targetV }, rollbackPoint: true },
        ],
      },
    ],
    manualActions: [...(MANUAL_ACTIONS[`${majorOf(src.version)}-${majorOf(targetV)}`] ?? [])],
  });
}

async function readStoredConfigIn(dir: string, flag: string) {
  // a directory that holds platform.yaml/json itself, or a home with config/
  for (const name of ['platform.json', 'platform.yaml']) {
    const p = join(dir, name);
    const st = await stat(p).catch(() => undefined);
    if (st?.isFile()) {
      const { readInputFile, parseJsonText, parseYamlText } = await import('../input.js');
      const text = await readInputFile(p, flag);
      const doc = name.endsWith('.json') ? parseJsonText(text, p) : parseYamlText(text, p);
      return { path: p, version: String((doc as any)?.version ?? ''), doc };
    }
  }
  try {
    const c = await readStoredConfig(dir);
    return { path: c.path, version: c.version, doc: c.doc };
  } catch {
    throw invalidInput(`${dir} holds no platform.yaml or platform.json`, { where: flag });
  }
}

// ---------------------------------------------------------------- fingerprints

async function hashTree(root: string): Promise<string> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(`${relative(root, p)}\0${sha256(await readFile(p))}`);
      else if (e.isSymbolicLink()) out.push(`${relative(root, p)}\0link`);
    }
  };
  await walk(root);
  return sha256(out.join('\n'));
}

/** What a saved plan was made against: the config, the data files and the current version. No secrets: hashes only. */
export async function fingerprint(home: string): Promise<Fingerprint> {
  const l = layout(home);
  const cfg = await configPath(home);
  const inputs: Record<string, string> = {
    config: cfg ? sha256(await readFile(cfg.path)) : 'none',
    data: await hashTree(l.data),
    version: (await readHistory(home)).current ?? 'none',
  };
  return { algorithm: 'sha256', value: sha256(JSON.stringify(inputs)), inputs };
}

/** Refuse (exit 5) a saved plan whose installation changed since it was made. */
export async function assertFingerprint(home: string, plan: Plan, file: string): Promise<void> {
  if (!plan.fingerprint) return;
  const now = await fingerprint(home);
  if (now.value === plan.fingerprint.value) return;
  const changed = Object.keys(now.inputs).filter((k) => now.inputs[k] !== plan.fingerprint!.inputs[k]);
  throw integrityError(`the plan was made against a different state of ${home}: ${changed.join(', ') || 'state'} changed since`, {
    where: file,
    hint: 'make a new plan (mcp-migrate plan … --out FILE), review it, and execute that',
  });
}
