// The guide's four plan formats, read into the one Plan the executor runs:
//   migration-plan.yaml       version + migration.phases (services, timeout, parallel), strategy rolling
//   rolling-migration.yaml    migration.order groups (canary, canaryPercentage, canaryDuration, parallel) + rollback
//   production-migration.yaml migration.source/target environments + steps of named actions (blue_green)
//   automated-migration.yaml  automation.pre_checks / migration / post_checks / notifications
// plus our own saved plans (`apiVersion: mcp.plan/v1`, written by `mcp-migrate plan --out`).
// Errors say file:line; a named action with no real step is refused by name, never skipped silently.
import * as Y from 'yaml';
import { parseStructuredText, readInputFile } from '../input.js';
import { basename } from 'node:path';
import { z } from 'zod';
import { invalidInput, preconditionError } from '../errors.js';
import { makePlan, parseDuration, PlanSchema, PLAN_API_VERSION, type Plan, type PlanInput, type Condition } from './plan.js';
import { parseCondition } from './canary.js';
import { PLAN_FORMAT_SCHEMAS } from './plan-formats.js';

export type PlanFormat = 'mcp-plan' | 'migration-plan' | 'rolling-migration' | 'production-migration' | 'automated-migration';

interface Issue {
  path: Array<string | number>;
  message: string;
}

/**
 * Lines of key paths in YAML/JSON text (1-based): the text is parsed once (JSON is YAML) and each path walked in
 * its syntax tree, so a plan of 10,000 phases costs what one does. A path that leads nowhere gives the line of its
 * deepest part found.
 */
export function lineFinder(text: string): (path: Array<string | number>) => number {
  const lc = new Y.LineCounter();
  const doc = Y.parseDocument(text, { lineCounter: lc, merge: true, uniqueKeys: false });
  const lineAt = (node: unknown) => {
    const r = (node as { range?: [number, number, number] } | null)?.range;
    return r ? lc.linePos(r[0]).line : 1;
  };
  return (path) => {
    let node: unknown = doc.contents;
    let found = 1;
    for (const seg of path) {
      let next: unknown;
      let at: unknown;
      if (Y.isSeq(node) && typeof seg === 'number') at = next = node.items[seg];
      else if (Y.isMap(node)) {
        const pair = node.items.find((p) => (Y.isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
        if (pair) {
          at = pair.key;
          next = pair.value;
        }
      }
      if (next === undefined && at === undefined) break;
      found = lineAt(at ?? next);
      node = next;
    }
    return found;
  };
}

/** The line of one key path (see lineFinder; make one finder for many paths of the same text). */
export const lineOf = (text: string, path: Array<string | number>): number => lineFinder(text)(path);

/** Every named action of the guide's plans, mapped to a step kind — or refused with the reason. */
type ActionMap = { kind: string; params?: Record<string, unknown>; title: string; rollbackPoint?: boolean; on?: 'source' | 'target' } | { refuse: string };
export const ACTIONS: Record<string, ActionMap> = {
  // production-migration.yaml: the plan runs in the source's home; `on` is the environment whose home a step acts on
  validate_source: { kind: 'config.validate', title: 'validate the source config', on: 'source' },
  check_target_capacity: { kind: 'check.capacity', title: "check the target has room for the source's data and its database answers", params: { minMb: 500 }, on: 'target' },
  verify_backups: { kind: 'backup.verify', title: 'verify the newest backup', on: 'source' },
  export_staging_data: { kind: 'backup.create', title: 'export the source data', params: { scope: 'data', name: 'promotion-export' }, rollbackPoint: true, on: 'source' },
  transform_for_production: { kind: 'config.overlay', title: "apply the target environment's overlay to its own config", on: 'target' },
  encrypt_sensitive_data: { kind: 'backup.ship', title: "encrypt the export with the target's passphrase, into its backups", on: 'target' },
  update_endpoints: { kind: 'config.endpoints', title: "check the target's endpoints are its own", on: 'target' },
  configure_ssl: { kind: 'tls.configure', title: 'check the TLS certificate and key, enable TLS', on: 'target' },
  set_production_limits: { kind: 'config.limits', title: 'the production profile of resource limits', on: 'target' },
  deploy_blue_environment: { kind: 'bluegreen.deploy', title: 'restore the package on the target and deploy the new color beside the live one, health-checked (MCP included)', on: 'target' },
  run_health_checks: { kind: 'health.check', title: 'health checks', on: 'target' },
  switch_traffic: { kind: 'traffic.switch', title: 'switch traffic to the new color (Service selectors, or the traefik file provider)', on: 'target' },
  monitor_metrics: { kind: 'traffic.monitor', title: 'hold the new color under the canary gates; a breach switches back', on: 'target' },
  functional_tests: { kind: 'test.suite', title: 'mcp test all --comprehensive on the target', params: { comprehensive: true }, on: 'target' },
  performance_tests: { kind: 'benchmark.compare', title: 'performance within 10% of the saved benchmark baseline', on: 'target' },
  security_scan: { kind: 'security.scan', title: 'audit the installation (fails on high findings)', on: 'target' },
  // automated-migration.yaml
  backup_verification: { kind: 'backup.verify', title: 'verify the newest backup' },
  disk_space_check: { kind: 'check.disk-space', title: 'check free disk space', params: { minMb: 100 } },
  dependency_validation: { kind: 'config.validate', title: 'validate the config and its service dependencies' },
  stop_services: { kind: 'services.stop', title: 'stop all services', rollbackPoint: true },
  backup_data: { kind: 'backup.create', title: 'back up everything', params: { scope: 'full', name: 'automated-migration' }, rollbackPoint: true },
  update_platform: { kind: 'version.record', title: 'record the platform version' },
  migrate_data: { kind: 'db.migrate', title: 'migrate the database' },
  update_configuration: { kind: 'config.transform', title: 'transform the platform config' },
  start_services: { kind: 'services.start', title: 'start all services', rollbackPoint: true },
  health_verification: { kind: 'health.check', title: 'health checks' },
  data_integrity: { kind: 'verify', title: 'verify config, migrations, data counts and services', rollbackPoint: true },
  performance_baseline: { kind: 'benchmark.baseline', title: 'save a performance baseline (within 10% of the pre-migration one, when there is one)' },
};

export interface ReadPlanOptions {
  /** target version for formats that do not name one (automated-migration.yaml) */
  to?: string;
  /** the installed version (the `from` of version-dependent steps) */
  from?: string;
  /** named actions the operator explicitly leaves out (recorded in the plan's notes) */
  skip?: string[];
  /** canary measurement endpoints given on the command line */
  metricsUrl?: string;
  healthUrls?: string[];
  /** how long monitor_metrics holds the new color (ms) */
  monitorWindowMs?: number;
}

export function detectFormat(doc: Record<string, any>): PlanFormat | undefined {
  if (doc.apiVersion === PLAN_API_VERSION) return 'mcp-plan';
  if (doc.automation && typeof doc.automation === 'object') return 'automated-migration';
  const m = doc.migration;
  if (!m || typeof m !== 'object') return undefined;
  if (Array.isArray(m.order)) return 'rolling-migration';
  if (Array.isArray(m.steps)) return 'production-migration';
  if (Array.isArray(m.phases)) return 'migration-plan';
  return undefined;
}

export async function readPlanFile(file: string, opts: ReadPlanOptions = {}): Promise<{ plan: Plan; format: PlanFormat }> {
  const text = await readInputFile(file, '--plan');
  return parsePlanText(text, file, opts);
}

export async function parsePlanText(text: string, file: string, opts: ReadPlanOptions = {}): Promise<{ plan: Plan; format: PlanFormat }> {
  // the one loader for files users hand us (src/input.ts): alias, nesting and size budgets
  const doc = parseStructuredText(text, file);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalidInput('a plan file is a mapping', { where: `${file}:1` });
  const d = doc as Record<string, any>;
  const format = detectFormat(d);
  if (!format) {
    throw invalidInput('not a plan this CLI knows', {
      where: `${file}:1`,
      hint: 'expected migration.phases (migration-plan.yaml), migration.order (rolling-migration.yaml), migration.steps (production-migration.yaml), automation (automated-migration.yaml) or apiVersion: mcp.plan/v1',
    });
  }
  const issues: Issue[] = [];
  if (format !== 'mcp-plan') {
    // the format's schema first: every problem with its line, before any conversion
    const r = PLAN_FORMAT_SCHEMAS[format].safeParse(d);
    if (!r.success) for (const i of r.error.issues) issues.push({ path: i.path as Array<string | number>, message: i.message });
    if (issues.length) throwIssues(issues, text, file);
  }
  const refusals: Array<{ path: Array<string | number>; action: string; reason: string }> = [];
  const lines = lineFinder(text);
  const at = (path: Array<string | number>) => `${basename(file)}:${lines(path)}`;
  let input: PlanInput | undefined;
  switch (format) {
    case 'mcp-plan': {
      const r = PlanSchema.safeParse(d);
      if (!r.success) for (const i of r.error.issues) issues.push({ path: i.path as Array<string | number>, message: i.message });
      else input = r.data;
      break;
    }
    case 'migration-plan':
      input = fromMigrationPlan(d, issues, at, opts);
      break;
    case 'rolling-migration':
      input = fromRolling(d, issues, at, opts);
      break;
    case 'production-migration':
      input = fromActions(format, d, issues, refusals, at, opts);
      break;
    case 'automated-migration':
      input = fromActions(format, d, issues, refusals, at, opts);
      break;
  }
  if (issues.length) throwIssues(issues, text, file);
  if (refusals.length) {
    const list = refusals.map((r) => `  ${file}:${lines(r.path)}: ${r.action}: ${r.reason}`).join('\n');
    throw preconditionError(`${refusals.length} action(s) of this plan have no step in this CLI and are refused:\n${list}`, {
      where: `${file}:${lines(refusals[0]!.path)}`,
      hint: `nothing was changed; leave them out explicitly with --skip ${refusals.map((r) => r.action).join(',')} (recorded in the plan), or edit the plan`,
      details: refusals,
    });
  }
  let plan: Plan;
  try {
    plan = makePlan({ ...input!, sourceFile: input!.sourceFile ?? file });
  } catch (e) {
    if (e instanceof z.ZodError) {
      const i = e.issues[0]!;
      throw invalidInput(`${i.path.join('.')}: ${i.message}`, { where: `${file}:1` });
    }
    throw invalidInput((e as Error).message, { where: `${file}:1` });
  }
  return { plan, format };
}

/** YAML reads `version: 6.0` as the number 6: give it back as the guide wrote it. */
const versionText = (v: unknown): string => (typeof v === 'number' && Number.isInteger(v) ? `${v}.0` : String(v));

function throwIssues(issues: Issue[], text: string, file: string): never {
  const first = issues[0]!;
  const lines = lineFinder(text);
  const list = issues.map((i) => `  ${file}:${lines(i.path)}: ${i.path.join('.')}: ${i.message}`).join('\n');
  throw invalidInput(issues.length === 1 ? `${first.path.join('.')}: ${first.message}` : `${issues.length} problems:\n${list}`, {
    where: `${file}:${lines(first.path)}`,
    hint: 'fix the plan file; docs/plans.md and schemas/plan-*.json describe each format',
  });
}

type At = (path: Array<string | number>) => string;

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'x';

function duration(v: unknown, path: Array<string | number>, issues: Issue[]): number | undefined {
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (ms === undefined) issues.push({ path, message: `'${String(v)}' is not a duration (write 30m, 1h, 90s, 500ms)` });
  return ms;
}

function services(v: unknown, path: Array<string | number>, issues: Issue[]): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.some((s) => typeof s !== 'string' || !s)) {
    issues.push({ path, message: 'services is a non-empty list of service names' });
    return [];
  }
  return v as string[];
}

function fromMigrationPlan(d: Record<string, any>, issues: Issue[], at: At, opts: ReadPlanOptions): PlanInput {
  const to = d.version === undefined ? opts.to : versionText(d.version);
  const m = d.migration;
  if (m.strategy !== undefined && m.strategy !== 'rolling') issues.push({ path: ['migration', 'strategy'], message: `strategy '${m.strategy}': only rolling is supported for phases of services` });
  const phases = (m.phases as any[]).map((ph, i) => {
    const p = ['migration', 'phases', i];
    if (!ph || typeof ph !== 'object' || typeof ph.name !== 'string') {
      issues.push({ path: p, message: 'a phase has a name and services' });
      return { name: `phase-${i}`, steps: [] };
    }
    for (const k of Object.keys(ph)) if (!['name', 'services', 'timeout', 'parallel'].includes(k)) issues.push({ path: [...p, k], message: `unknown field '${k}' (name, services, timeout, parallel)` });
    if (ph.parallel !== undefined && typeof ph.parallel !== 'boolean') issues.push({ path: [...p, 'parallel'], message: 'parallel is true or false' });
    return {
      name: ph.name,
      parallel: ph.parallel === true,
      timeoutMs: duration(ph.timeout, [...p, 'timeout'], issues),
      strategy: 'rolling' as const,
      source: at(p),
      steps: services(ph.services, [...p, 'services'], issues).map((s, j) => ({
        id: `${slug(ph.name)}.${slug(s)}`,
        kind: 'service.migrate',
        title: `migrate ${s}${to ? ` to ${to}` : ''}`,
        params: { service: s, version: to },
        source: at([...p, 'services', j]),
      })),
    };
  });
  return { apiVersion: PLAN_API_VERSION, name: `service migration${to ? ` to ${to}` : ''}`, kind: 'service-migration', from: opts.from, to, phases, rollback: { automatic: true, conditions: [], noData: 'fail' } };
}

function conditionsOf(rb: any, issues: Issue[]): Condition[] {
  const out: Condition[] = [];
  if (rb?.conditions === undefined) return out;
  if (!Array.isArray(rb.conditions)) {
    issues.push({ path: ['migration', 'rollback', 'conditions'], message: 'conditions is a list' });
    return out;
  }
  rb.conditions.forEach((c: unknown, i: number) => {
    try {
      out.push(parseCondition(c));
    } catch (e) {
      issues.push({ path: ['migration', 'rollback', 'conditions', i], message: (e as Error).message });
    }
  });
  return out;
}

function fromRolling(d: Record<string, any>, issues: Issue[], at: At, opts: ReadPlanOptions): PlanInput {
  const m = d.migration;
  const to = d.version !== undefined ? versionText(d.version) : opts.to;
  if (m.strategy !== undefined && m.strategy !== 'rolling') issues.push({ path: ['migration', 'strategy'], message: `strategy '${m.strategy}': a rolling-migration.yaml is rolling` });
  const rb = m.rollback ?? {};
  if (rb.automatic !== undefined && typeof rb.automatic !== 'boolean') issues.push({ path: ['migration', 'rollback', 'automatic'], message: 'automatic is true or false' });
  if (rb.noData !== undefined && rb.noData !== 'fail' && rb.noData !== 'pass') issues.push({ path: ['migration', 'rollback', 'noData'], message: 'noData is fail or pass' });
  const conditions = conditionsOf(rb, issues);
  const known = ['group', 'services', 'canary', 'canaryPercentage', 'canaryDuration', 'canaryInterval', 'parallel', 'timeout', 'metrics', 'health'];
  const phases = (m.order as any[]).map((g, i) => {
    const p = ['migration', 'order', i];
    if (!g || typeof g !== 'object' || typeof g.group !== 'string') {
      issues.push({ path: p, message: 'an order entry has a group name and services' });
      return { name: `group-${i}`, steps: [] };
    }
    for (const k of Object.keys(g)) if (!known.includes(k)) issues.push({ path: [...p, k], message: `unknown field '${k}' (${known.join(', ')})` });
    let canary: { percentage: number; durationMs: number; intervalMs?: number; metricsUrl?: string; healthUrls: string[] } | undefined;
    if (g.canary === true) {
      const pct = g.canaryPercentage;
      if (typeof pct !== 'number' || pct <= 0 || pct > 100) issues.push({ path: [...p, g.canaryPercentage === undefined ? 'canary' : 'canaryPercentage'], message: 'a canary group needs canaryPercentage between 1 and 100' });
      const dur = duration(g.canaryDuration, [...p, 'canaryDuration'], issues);
      if (g.canaryDuration === undefined) issues.push({ path: [...p, 'canary'], message: 'a canary group needs canaryDuration (e.g. 1h)' });
      canary = {
        percentage: typeof pct === 'number' ? pct : 0,
        durationMs: dur ?? 0,
        intervalMs: duration(g.canaryInterval, [...p, 'canaryInterval'], issues),
        metricsUrl: g.metrics ?? m.metrics ?? opts.metricsUrl,
        healthUrls: g.health ?? m.health ?? opts.healthUrls ?? [],
      };
    } else if (g.canary !== undefined && g.canary !== false) issues.push({ path: [...p, 'canary'], message: 'canary is true or false' });
    return {
      name: g.group,
      parallel: g.parallel === true,
      timeoutMs: duration(g.timeout, [...p, 'timeout'], issues),
      strategy: 'rolling' as const,
      canary,
      source: at(p),
      steps: services(g.services, [...p, 'services'], issues).map((s, j) => ({
        id: `${slug(g.group)}.${slug(s)}`,
        kind: 'service.migrate',
        title: `migrate ${s}${canary ? ` (canary ${canary.percentage}%)` : ''}`,
        params: { service: s, version: to, ...(canary ? { canaryPercentage: canary.percentage } : {}) },
        source: at([...p, 'services', j]),
      })),
    };
  });
  return {
    apiVersion: PLAN_API_VERSION,
    name: 'rolling service migration',
    kind: 'service-migration',
    from: opts.from,
    to,
    phases,
    rollback: { automatic: rb.automatic !== false, conditions, noData: rb.noData ?? 'fail' },
  };
}

function fromActions(
  format: 'production-migration' | 'automated-migration',
  d: Record<string, any>,
  issues: Issue[],
  refusals: Array<{ path: Array<string | number>; action: string; reason: string }>,
  at: At,
  opts: ReadPlanOptions,
): PlanInput {
  const skip = new Set(opts.skip ?? []);
  const notes: string[] = [];
  const groups: Array<{ name: string; strategy?: string; actions: unknown; path: Array<string | number> }> = [];
  let name: string;
  let environment: { source?: string; target?: string } | undefined;
  const notifications: Array<{ channel: string; target: string }> = [];
  if (format === 'production-migration') {
    const m = d.migration;
    name = typeof m.name === 'string' ? m.name : 'environment promotion';
    environment = { source: m.source?.environment, target: m.target?.environment };
    if (!environment.source) issues.push({ path: ['migration', 'source'], message: 'source.environment is required' });
    if (!environment.target) issues.push({ path: ['migration', 'target'], message: 'target.environment is required' });
    if (environment.source && environment.source === environment.target) issues.push({ path: ['migration', 'target', 'environment'], message: `the target is the source (${environment.source}): a promotion moves one environment into another` });
    (m.steps as any[]).forEach((s, i) => {
      if (!s || typeof s.name !== 'string') issues.push({ path: ['migration', 'steps', i], message: 'a step has a name and actions' });
      else groups.push({ name: s.name, strategy: s.strategy, actions: s.actions, path: ['migration', 'steps', i] });
      if (s?.strategy !== undefined && s.strategy !== 'blue_green' && s.strategy !== 'rolling') issues.push({ path: ['migration', 'steps', i, 'strategy'], message: `strategy '${s.strategy}': blue_green or rolling` });
    });
  } else {
    const a = d.automation;
    name = 'automated migration';
    for (const k of Object.keys(a)) if (!['pre_checks', 'migration', 'post_checks', 'notifications'].includes(k)) issues.push({ path: ['automation', k], message: `unknown section '${k}' (pre_checks, migration, post_checks, notifications)` });
    for (const k of ['pre_checks', 'migration', 'post_checks']) if (a[k] !== undefined) groups.push({ name: k.replace('_', '-'), actions: a[k], path: ['automation', k] });
    if (a.notifications !== undefined) {
      if (!Array.isArray(a.notifications)) issues.push({ path: ['automation', 'notifications'], message: 'notifications is a list like - slack: "#channel"' });
      else
        a.notifications.forEach((n: unknown, i: number) => {
          const [channel, target] = n && typeof n === 'object' ? (Object.entries(n)[0] ?? []) : [];
          const path = ['automation', 'notifications', i];
          if (typeof channel !== 'string') return issues.push({ path, message: 'a notification is one mapping like slack: "#channel"' });
          if (channel !== 'slack' && channel !== 'email') refusals.push({ path, action: channel, reason: 'notifications go to slack (MCP_SLACK_WEBHOOK_URL) or email (MCP_SMTP_URL); no other channel exists' });
          notifications.push({ channel, target: String(target) });
        });
    }
  }
  const needsVersion = new Set(['config.transform', 'db.migrate', 'version.record']);
  // the step id each action became, for steps that take an earlier one's output
  const made = new Map<string, string>();
  const snapshot = format === 'production-migration' && typeof d.migration.source?.snapshot === 'string' ? (d.migration.source.snapshot as string) : undefined;
  const phases = groups.map((g) => {
    if (!Array.isArray(g.actions)) {
      issues.push({ path: [...g.path, format === 'production-migration' ? 'actions' : ''].filter(Boolean) as Array<string | number>, message: 'actions is a list of action names' });
      return { name: g.name, steps: [] };
    }
    const steps = [] as PlanInput['phases'][number]['steps'];
    g.actions.forEach((a: unknown, j: number) => {
      const p = format === 'production-migration' ? [...g.path, 'actions', j] : [...g.path, j];
      if (typeof a !== 'string') return issues.push({ path: p, message: 'an action is a name, e.g. validate_source' });
      if (skip.has(a)) {
        notes.push(`${a} left out by --skip`);
        return;
      }
      const m = ACTIONS[a];
      if (!m) return refusals.push({ path: p, action: a, reason: `unknown action; known: ${Object.keys(ACTIONS).join(', ')}` });
      if ('refuse' in m) return refusals.push({ path: p, action: a, reason: m.refuse });
      if (needsVersion.has(m.kind) && !opts.to) return issues.push({ path: p, message: `${a} needs a target version: pass --to VERSION` });
      const params: Record<string, unknown> = { ...(m.params ?? {}) };
      const id = `${slug(g.name)}.${slug(a)}`;
      made.set(a, id);
      const on = m.on && environment ? environment[m.on] : undefined;
      let kind = m.kind;
      let title = m.title;
      if (m.on === 'target' && ['check.capacity', 'backup.ship', 'config.endpoints'].includes(kind)) params.sourceEnvironment = environment?.source;
      if (kind === 'config.overlay') params.environment = environment?.target;
      if (a === 'performance_tests' && environment?.source) params.baselineFrom = environment.source;
      if (a === 'verify_backups' && snapshot) {
        kind = 'backup.snapshot';
        title = `the snapshot ${snapshot} is a verified backup (made if missing)`;
        params.name = snapshot;
      }
      if (kind === 'backup.ship') {
        const from = made.get('export_staging_data');
        if (!from || from === id) return issues.push({ path: p, message: 'encrypt_sensitive_data encrypts what export_staging_data made: list export_staging_data before it' });
        params.from = from;
      }
      if (kind === 'bluegreen.deploy') {
        // the package encrypt_sensitive_data put in the target's backups is what the new color runs on
        const pkg = made.get('encrypt_sensitive_data');
        if (pkg && pkg !== id) params.from = pkg;
        else notes.push(`${a} restores no package: no encrypt_sensitive_data before it (the target keeps its own data)`);
      }
      if (kind === 'traffic.switch' && made.get('deploy_blue_environment')) params.deploy = made.get('deploy_blue_environment');
      if (kind === 'traffic.monitor') {
        if (made.get('switch_traffic')) params.switch = made.get('switch_traffic');
        params.windowMs = opts.monitorWindowMs ?? 300_000;
        if (opts.metricsUrl) params.metricsUrl = opts.metricsUrl;
      }
      if (m.kind === 'config.transform' || m.kind === 'db.migrate') Object.assign(params, { from: opts.from, to: opts.to });
      if (m.kind === 'version.record') params.version = opts.to;
      if (m.kind === 'verify') params.version = opts.to ?? opts.from;
      steps.push({ id, kind, title: `${a}: ${title}`, params, rollbackPoint: m.rollbackPoint ?? false, source: at(p), ...(on ? { environment: on } : {}) });
    });
    return { name: g.name, strategy: g.strategy === 'blue_green' ? ('blue_green' as const) : undefined, steps, source: at(g.path) };
  });
  if (format === 'automated-migration' && d.automation.migration === undefined) issues.push({ path: ['automation'], message: 'automation.migration lists the migration actions' });
  return {
    apiVersion: PLAN_API_VERSION,
    name,
    kind: format === 'production-migration' ? 'promotion' : 'automation',
    from: opts.from,
    to: opts.to,
    environment,
    phases: phases.filter((p) => p.steps.length > 0).length ? phases.filter((p) => p.steps.length > 0) : phases,
    rollback: { automatic: true, conditions: [], noData: 'fail' },
    notifications,
    notes,
  };
}
