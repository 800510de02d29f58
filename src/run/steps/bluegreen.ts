// The blue/green steps of a promotion (production-migration.yaml's `strategy: blue_green`), acting on the
// target's home through src/bluegreen/ops.ts:
//   bluegreen.deploy  deploy_blue_environment: the package restored there, the idle color deployed beside the
//                     live one and health-checked (undo: its workloads or compose project removed, the data put
//                     back, the state)
//   traffic.switch    switch_traffic: traffic to the new color (undo: traffic back, exactly as it was)
//   traffic.monitor   monitor_metrics: the canary gates held for a window; a breach fails the step, and the
//                     run's rollback switches back first
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepKind } from './types.js';
import { backupEnv, modules } from './modules.js';
import { restoreState, saveState } from './snapshot.js';
import { writeFileAtomic } from '../../fsutil.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : String(v));
const bg = () => import('../../bluegreen/ops.js');

async function refusedHere(home: string): Promise<string | undefined> {
  const { loadPlatform } = await modules.runtime();
  const p = await loadPlatform(home).catch(() => undefined);
  return p ? (await bg()).refuseRuntime(p, home) : undefined;
}

export const bluegreenDeploy: StepKind = {
  kind: 'bluegreen.deploy',
  summary: "on the target: the package an earlier step put there (`from`) restored (data and database, with a safety backup), then the idle color deployed beside the live one (Kubernetes: `<name>-<color>` Deployments; docker: a compose project `<project>-<color>` on the platform's network; runtime none: the endpoints its config names) and health-checked, MCP protocol included; nothing switches. Undo: the new color's workloads removed, the data put back",
  needs: 'runtime',
  rollbackPoint: false,
  mutates: true,
  describe: (p) => `deploy the idle color beside the live one${p.from ? ` with the package of ${str(p.from)}` : ''}, health-checked`,
  check: (_p, home) => refusedHere(home),
  async run(ctx, p) {
    const ops = await bg();
    const { statePath } = await import('../../bluegreen/state.js');
    await ops.refuseKeptIdle(ctx.home, ctx.runId);
    await saveState(ctx.dir, 'state', [statePath(ctx.home)]);
    // from here on the undo may have something to remove (a refusal above leaves it nothing to do)
    await writeFileAtomic(join(ctx.dir, 'started.json'), JSON.stringify({ at: new Date().toISOString() }) + '\n');
    let restored: Record<string, unknown> | undefined;
    if (p.from) {
      const made = ctx.resultOf(str(p.from));
      if (!made || typeof made.id !== 'string') throw new Error(`step ${str(p.from)} has put no package in this run: nothing to restore`);
      const backup = await modules.backup();
      const { environmentBackupPassphrase } = await import('../../config/env-secrets.js');
      const pkg = await backup.findBackup(ctx.home, made.id);
      const marker = join(ctx.dir, 'restored.json');
      const before = await readFile(marker, 'utf8').then((t) => JSON.parse(t) as Record<string, unknown>, () => undefined);
      if (before) restored = before;
      else {
        const passphrase = pkg.sidecar.encryption ? await environmentBackupPassphrase(ctx.home, ctx.env, ctx.environment ?? 'target') : undefined;
        // before the restore: an undo after a crash looks for the safety backup this restore takes, none older
        await writeFileAtomic(join(ctx.dir, 'restoring.json'), JSON.stringify({ id: pkg.id, at: new Date().toISOString() }) + '\n');
        const r = await backup.restoreBackup(backupEnv(ctx), { backup: pkg, parts: ['data', 'database'], dryRun: false, passphrase });
        restored = { id: pkg.id, safetyBackup: r.safetyBackup, files: r.files, database: r.database };
        await writeFileAtomic(marker, JSON.stringify(restored) + '\n');
        ctx.detail(`restored ${pkg.id} into ${ctx.home} (safety backup ${r.safetyBackup})`);
      }
    }
    const d = await ops.deployIdle({ home: ctx.home, env: ctx.env, signal: ctx.signal, detail: ctx.detail }, { runId: ctx.runId, timeoutSeconds: p.timeoutSeconds !== undefined ? Number(p.timeoutSeconds) : undefined });
    return { color: d.color, live: d.active, services: d.record.services, endpoints: d.record.endpoints, workloads: d.record.workloads, health: d.health, ...(restored ? { restored } : {}) };
  },
  async undo(ctx, _p, result) {
    const ops = await bg();
    const { loadPlatform } = await modules.runtime();
    const { readBlueGreen, other } = await import('../../bluegreen/state.js');
    const platform = await loadPlatform(ctx.home);
    const started = await readFile(join(ctx.dir, 'started.json'), 'utf8').then(() => true, () => false);
    if (!started) return;
    if (platform.runtime.type === 'kubernetes') {
      // what it deployed, or (interrupted) what it would have: the idle color's Deployments
      const color = (result?.color as 'blue' | 'green' | undefined) ?? other((await readBlueGreen(ctx.home))?.active ?? 'blue');
      const names = Array.isArray(result?.workloads) && result.workloads.length ? (result.workloads as string[]) : await ops.colorWorkloads(ctx.home, platform, color);
      const { deleteDeployments } = await import('../../bluegreen/kubernetes.js');
      await deleteDeployments(names, ops.kubeOpts(platform, { env: ctx.env, detail: ctx.detail }));
    }
    if (platform.runtime.type === 'docker') {
      // the project it started, or (interrupted) would have: `<project>-<color>`, never the platform's own
      const color = (result?.color as 'blue' | 'green' | undefined) ?? other((await readBlueGreen(ctx.home))?.active ?? 'blue');
      const { removeColor } = await import('../../bluegreen/docker.js');
      const gone = await removeColor({ home: ctx.home, env: ctx.env, signal: ctx.signal, detail: ctx.detail }, platform, color, undefined);
      ctx.detail(`removed the ${color} compose project ${gone}`);
    }
    const marker = join(ctx.dir, 'restored.json');
    const restored = await readFile(marker, 'utf8').then((t) => JSON.parse(t) as { safetyBackup?: string; id?: string }, () => undefined);
    const backup = await modules.backup();
    // the restore's own safety backup; when the run died between the restore and its marker, the one that restore
    // took (named after the package, made after it started): never an older one, never when no restore started
    const restoring = await readFile(join(ctx.dir, 'restoring.json'), 'utf8').then((t) => JSON.parse(t) as { id: string; at: string }, () => undefined);
    const safetyId =
      restored?.safetyBackup ??
      (restoring ? (await backup.listBackups(ctx.home)).backups.find((b) => b.sidecar.kind === 'safety' && b.sidecar.name === `safety-before-restore-${restoring.id}` && b.sidecar.createdAt >= restoring.at)?.id : undefined);
    if (safetyId) {
      const safety = await backup.findBackup(ctx.home, safetyId);
      const { environmentBackupPassphrase } = await import('../../config/env-secrets.js');
      const passphrase = safety.sidecar.encryption ? await environmentBackupPassphrase(ctx.home, ctx.env, ctx.environment ?? 'target') : undefined;
      await backup.restoreBackup(backupEnv(ctx), { backup: safety, parts: ['data', 'database'], dryRun: false, passphrase, anyVersion: true });
      ctx.detail(`data and database put back from ${safetyId}`);
    }
    await rm(marker, { force: true });
    await rm(join(ctx.dir, 'restoring.json'), { force: true });
    await restoreState(ctx.dir, 'state');
    await rm(join(ctx.dir, 'started.json'), { force: true });
  },
};

export const trafficSwitch: StepKind = {
  kind: 'traffic.switch',
  summary: "on the target: traffic moves to the color `deploy` deployed (Kubernetes: the app Services' selectors patched to it; docker and none: the traefik file provider's mcp-traffic.yml rewritten atomically); the old color is kept. Undo: traffic back, the selectors or the file exactly as they were",
  needs: 'runtime',
  rollbackPoint: false,
  mutates: true,
  describe: (p) => `switch traffic to the color ${str(p.deploy) || 'deployed last'} deployed`,
  check: (_p, home) => refusedHere(home),
  async run(ctx, p) {
    const ops = await bg();
    const { readBlueGreen, other } = await import('../../bluegreen/state.js');
    const e = { home: ctx.home, env: ctx.env, signal: ctx.signal, detail: ctx.detail };
    const deployed = p.deploy ? ctx.resultOf(str(p.deploy)) : undefined;
    if (p.deploy && !deployed) throw new Error(`step ${str(p.deploy)} deployed nothing in this run: there is no new color to switch to`);
    const now = await readBlueGreen(ctx.home);
    const color = (deployed?.color as 'blue' | 'green' | undefined) ?? other(now?.active ?? 'blue');
    // before anything changes: the state and the traefik file, and on Kubernetes the selectors as they are; and
    // which deployment served, so that a switch back never revives one that was retired since
    await saveState(ctx.dir, 'switch', await ops.switchFiles(ctx.home));
    const fromFile = join(ctx.dir, 'switched-from.json');
    if (!(await readFile(fromFile, 'utf8').then(() => true, () => false))) {
      const served = now ? now.colors[now.active] : undefined;
      await writeFileAtomic(fromFile, JSON.stringify({ color: now?.active ?? 'blue', deployedAt: served?.deployedAt ?? null }) + '\n');
    }
    const selFile = join(ctx.dir, 'selectors.json');
    let selectors = await readFile(selFile, 'utf8').then((t) => JSON.parse(t) as { from: string; selectors: Record<string, Record<string, string>> }, () => undefined);
    if (!selectors) {
      const s = await ops.selectorsNow(e);
      if (s) {
        selectors = { from: now?.active ?? 'blue', selectors: s };
        await writeFileAtomic(selFile, JSON.stringify(selectors) + '\n');
      }
    }
    const r = await ops.switchTo(e, color, { keepMs: p.keepMs !== undefined ? Number(p.keepMs) : undefined, selectors: selectors?.selectors });
    return { color: r.color, from: r.from, services: r.services, ...(r.trafficFile ? { trafficFile: r.trafficFile } : {}) };
  },
  async undo(ctx) {
    const ops = await bg();
    const { readBlueGreen } = await import('../../bluegreen/state.js');
    const from = await readFile(join(ctx.dir, 'switched-from.json'), 'utf8').then((t) => JSON.parse(t) as { color: 'blue' | 'green'; deployedAt: string | null }, () => undefined);
    const now = await readBlueGreen(ctx.home);
    if (from && now && from.deployedAt !== null && now.colors[from.color]?.deployedAt !== from.deployedAt) {
      throw new Error(`the ${from.color} deployment traffic came from was retired (mcp environments retire-blue): there is nothing to switch back to; ${now.active} keeps serving`);
    }
    const selFile = join(ctx.dir, 'selectors.json');
    const saved = await readFile(selFile, 'utf8').then((t) => JSON.parse(t) as { from: 'blue' | 'green'; selectors: Record<string, Record<string, string>> }, () => undefined);
    if (saved) {
      await ops.restoreSelectors({ home: ctx.home, env: ctx.env, detail: ctx.detail }, saved.selectors);
      ctx.detail(`Service selectors back: ${Object.keys(saved.selectors).join(', ')}`);
    }
    // the state, and the traefik file byte for byte (or gone, if it did not exist)
    await restoreState(ctx.dir, 'switch');
    await rm(selFile, { force: true });
    await rm(join(ctx.dir, 'switched-from.json'), { force: true });
  },
};

export const trafficMonitor: StepKind = {
  kind: 'traffic.monitor',
  summary: "on the target: holds the new color for `windowMs` (default 5 min; --monitor-window), measuring the plan's rollback conditions (default: errorRate > 5%, latency > 500ms, healthCheck failing) every `intervalMs` from --metrics-url or each service's /metrics, under the no-data rule; a breach fails the step and the run's rollback switches traffic back first",
  needs: 'runtime',
  rollbackPoint: false,
  mutates: false,
  describe: (p) => `hold the new color under the canary gates for ${Math.round(Number(p.windowMs ?? 300_000) / 1000)}s`,
  async check(p, home) {
    const refused = await refusedHere(home);
    if (refused) return refused;
    // Kubernetes pods are not reached from here for their /metrics: without an endpoint every metric gate is "no
    // data", which fails after traffic has moved; refused before anything runs
    const { loadPlatform } = await modules.runtime();
    const platform = await loadPlatform(home).catch(() => undefined);
    if (platform?.runtime.type === 'kubernetes' && !p.metricsUrl) return 'monitor_metrics on Kubernetes measures the new color through --metrics-url (Prometheus text or JSON: your Prometheus, or a metrics endpoint of the new pods); pass it';
    return undefined;
  },
  async run(ctx, p) {
    const ops = await bg();
    const { readBlueGreen } = await import('../../bluegreen/state.js');
    const switched = p.switch ? ctx.resultOf(str(p.switch)) : undefined;
    const color = (switched?.color as 'blue' | 'green' | undefined) ?? (await readBlueGreen(ctx.home))?.active;
    if (!color) throw new Error('no blue/green deployment in this home: switch_traffic comes before monitor_metrics');
    const windowMs = Number(p.windowMs ?? 300_000);
    const intervalMs = Number(p.intervalMs ?? Math.max(200, Math.min(15_000, Math.floor(windowMs / 5))));
    const conditions = ctx.plan.rollback.conditions.length ? ctx.plan.rollback.conditions : await ops.defaultConditions();
    const m = await ops.monitor({ home: ctx.home, env: ctx.env, signal: ctx.signal, detail: ctx.detail }, { color, windowMs, intervalMs, conditions, noData: ctx.plan.rollback.noData, metricsUrl: p.metricsUrl ? str(p.metricsUrl) : undefined });
    return { color, windowMs, measurements: m.length, last: m[m.length - 1] };
  },
};

export const BLUEGREEN_STEPS: StepKind[] = [bluegreenDeploy, trafficSwitch, trafficMonitor];
