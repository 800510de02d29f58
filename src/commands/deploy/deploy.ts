// `mcp deploy --env E --config F`: put a platform config (or compose files) on its runtime.
//   kubernetes: convert → namespace if missing → kubectl apply → rollout status with a timeout → undo on failure
//   docker:     docker compose up -d (the compose file given, or one written from the config)
// --dry-run prints the same plan without running anything.
import { parseJsonText, parseYamlText, readInputFile } from '../../input.js';

import { join, resolve } from 'node:path';
import { readFile, rm } from 'node:fs/promises';
import type { Handler } from '../../cli/program.js';
import { failedError, invalidInput, preconditionError, usageError } from '../../errors.js';
import { layout } from '../../home.js';
import { enterHome } from '../../cli/home-guard.js';
import { resolveEnvironment } from '../../environments.js';
import { writeFileAtomic } from '../../fsutil.js';
import { run } from '../../runtime/exec.js';
import { convertSource, type ConvertOpts } from '../migration/convert.js';

export interface DeployOpts extends ConvertOpts {
  env: string;
  runtime?: string;
  timeout: string;
  dryRun?: boolean;
  canary?: string;
  canaryDuration?: string;
  canaryServices?: string;
  moveData?: boolean;
  overwriteData?: boolean;
  composeProject?: string;
}

function isMap(v: unknown): v is Record<string, any> {
  return Boolean(v) && typeof v === 'object' && !Array.isArray(v);
}

export function parseTimeout(s: string): number {
  const m = String(s).trim().match(/^(\d+)(s|m|h)?$/);
  if (!m) throw invalidInput(`--timeout '${s}' is not a duration`, { hint: 'seconds, or with a unit: 300, 90s, 5m, 1h' });
  const n = Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
  if (n < 1) throw invalidInput('--timeout must be at least 1s');
  return n;
}

async function readConfig(ctx: Parameters<Handler>[0], file?: string): Promise<{ doc: Record<string, any>; path: string }> {
  if (file) {
    const path = resolve(file);
    const text = await readInputFile(path, '--config');
    const doc = /\.ya?ml$/i.test(path) ? parseYamlText(text, path) : parseJsonText(text, path);
    if (!isMap(doc)) throw invalidInput('the config is not a mapping', { where: path, hint: 'the config must be JSON (v5/v6) or YAML' });
    return { doc, path };
  }
  const { readStoredConfig } = await import('../../config/store.js');
  const stored = await readStoredConfig(ctx.home);
  return { doc: stored.doc, path: stored.path };
}

/** A compose file for the docker runtime, written from a v5/v6 config's services. */
export function composeFromConfig(doc: Record<string, any>, home: string): Record<string, unknown> {
  const services: Record<string, unknown> = {};
  for (const s of Array.isArray(doc.services) ? doc.services : []) {
    if (!isMap(s) || !s.name || s.enabled === false) continue;
    const c: Record<string, unknown> = { image: s.image ?? s.name, restart: 'unless-stopped' };
    if (Array.isArray(s.ports)) c.ports = s.ports.map(String);
    if (isMap(s.environment)) c.environment = s.environment;
    if (Array.isArray(s.volumes)) c.volumes = s.volumes.map((v: unknown) => String(v).replace(/^\.\//, `${home}/`));
    if (Array.isArray(s.dependsOn)) c.depends_on = s.dependsOn;
    const replicas = s.deployment?.replicas ?? s.instances;
    if (replicas !== undefined && Number(replicas) !== 1) c.deploy = { replicas: Number(replicas) };
    services[s.name] = c;
  }
  return { name: `mcp-${String(doc.environment ?? 'platform')}`, services };
}

export const deployHandler: Handler<DeployOpts> = async (ctx, opts) => {
  if (!opts.env) throw usageError('--env is required', { hint: 'mcp deploy --env staging --config config-staging.json' });
  parseTimeout(opts.timeout);
  // --env NAME, another environment: it is deployed in its own home, with its own secrets and runtime
  const target = await resolveEnvironment(ctx.home, opts.env);
  if (!target.own) ctx = await enterHome(ctx, target.home, opts as unknown as Record<string, unknown>);
  if (opts.dryRun) return deployIn(ctx, opts, target.own);
  // a deploy must not overlap a migration or a restore of the home it deploys (this one or the other)
  const { withHomeLock } = await import('../../run/home-lock.js');
  return withHomeLock(ctx.home, 'deploy', () => deployIn(ctx, opts, target.own));
};

async function deployIn(ctx: Parameters<Handler>[0], opts: DeployOpts, own: boolean) {
  const timeoutSeconds = parseTimeout(opts.timeout);
  const fromCompose = Boolean(opts.compose?.length);
  const cfg = fromCompose && !opts.config ? undefined : await readConfig(ctx, opts.config);
  if (cfg && typeof cfg.doc.environment === 'string' && cfg.doc.environment !== opts.env) {
    throw invalidInput(`the config is for environment '${cfg.doc.environment}', not '${opts.env}'`, {
      where: `${cfg.path}: environment`,
      hint: `pass --env ${cfg.doc.environment}, or the config made for ${opts.env}`,
    });
  }
  // the config becomes that home's: one that names no environment would make it another one (development)
  if (cfg && !own && cfg.doc.environment !== opts.env) {
    throw invalidInput(`the config names no environment: installed in the ${opts.env} home it would make that home 'development'`, {
      where: `${cfg.path}: environment`,
      hint: `set "environment": "${opts.env}" in the config (jq '.environment = "${opts.env}"')`,
    });
  }
  let installed: { path: string; previous: string | null; filledFromEnvironment: string[] } | undefined;
  let undoConfig: (() => Promise<void>) | undefined;
  let filled: string[] = [];
  if (cfg) {
    // secrets an export redacted come from the target environment, never as "[REDACTED]"; one it lacks stops here
    const { fillFromEnvironment } = await import('../../config/env-secrets.js');
    const f = await fillFromEnvironment(cfg.doc, { home: ctx.home, env: ctx.env, where: cfg.path, environment: opts.env, own });
    cfg.doc = f.doc;
    filled = f.filled.map((x) => x.path);
    const { assertValid, versionOfDoc } = await import('../../config/index.js');
    // a config that becomes another environment's home config must be a valid one
    if (!own) assertValid(cfg.doc, versionOfDoc(cfg.doc, `${cfg.path}: version`), cfg.path);
    if (!own && !opts.dryRun) {
      // the environment's home gets the config (its previous one kept in the version history); a deploy
      // that then fails puts the previous config back, so the home never runs one thing and says another
      const { ensureLayout } = await import('../../home.js');
      const { snapshotConfig } = await import('../../config/undo.js');
      await ensureLayout(ctx.home);
      undoConfig = (await snapshotConfig(ctx.home)).undo;
    }
  }
  try {
    if (undoConfig && cfg) {
      const { withVersionHistory } = await import('../../version-history.js');
      const { writeConfig } = await import('../../config/index.js');
      const w = await withVersionHistory(ctx.home, () => writeConfig(ctx.home, cfg.doc, { where: cfg.path }));
      installed = { path: w.path, previous: w.previous ?? null, filledFromEnvironment: filled };
      ctx.log.log('info', 'deploy.config', { environment: opts.env, config: w.path, previous: w.previous, filledFromEnvironment: filled });
      cfg.path = w.path;
    }
    return await deployRuntime(ctx, opts, own, cfg, installed, timeoutSeconds, fromCompose);
  } catch (e) {
    if (undoConfig) {
      // the deploy's own error stays the one reported; a failed undo is said beside it
      try {
        await undoConfig();
        ctx.log.log('warn', 'deploy.config.undone', { environment: opts.env, home: ctx.home });
        ctx.out.warn(`the deploy failed: the ${opts.env} home's previous config is back in place`);
      } catch (u) {
        ctx.log.log('error', 'deploy.config.undo-failed', { environment: opts.env, home: ctx.home, error: (u as Error).message });
        ctx.out.warn(`the deploy failed and its previous config could not be put back (${(u as Error).message}): the previous config is kept in ${ctx.home}/state/versions`);
      }
    }
    throw e;
  }
}

async function deployRuntime(
  ctx: Parameters<Handler>[0],
  opts: DeployOpts,
  own: boolean,
  cfg: { doc: Record<string, any>; path: string } | undefined,
  installed: { path: string; previous: string | null; filledFromEnvironment: string[] } | undefined,
  timeoutSeconds: number,
  fromCompose: boolean,
) {
  const runtimeCfg = isMap(cfg?.doc.runtime) ? cfg!.doc.runtime : {};
  const major = Number(String(cfg?.doc.version ?? '').split('.')[0]);
  const runtime = opts.runtime ?? runtimeCfg.type ?? (fromCompose ? 'kubernetes' : major >= 6 ? 'kubernetes' : 'docker');
  if (!['docker', 'kubernetes', 'none'].includes(runtime)) throw invalidInput(`runtime '${runtime}' is not docker, kubernetes or none`, { where: cfg ? `${cfg.path}: runtime.type` : '--runtime' });
  if (runtime === 'none') {
    if (!own && cfg) {
      const verb = opts.dryRun ? 'Would install' : 'Installed';
      return {
        data: { dryRun: Boolean(opts.dryRun), runtime, environment: opts.env, home: ctx.home, config: installed ?? null },
        text: [`${verb} the ${opts.env} config in ${ctx.home}${installed?.previous ? ` (previous kept: ${installed.previous})` : ''}`, `  runtime none: the ${opts.env} services are external; nothing to start`, ...(installed?.filledFromEnvironment.length ? [`  ${installed.filledFromEnvironment.length} secret(s) taken from ${opts.env}'s own secrets`] : [])],
      };
    }
    throw preconditionError('the runtime is none: there is nothing to deploy to', { hint: 'set runtime.type to docker or kubernetes in the config, or pass --runtime' });
  }

  if (runtime === 'docker') return installed && !opts.compose?.length ? deployWithRuntime(ctx, opts, timeoutSeconds) : deployDocker(ctx, opts, cfg);

  // the config as filled above (secrets from the target's own), not its file again: that may hold "[REDACTED]"
  const { conv, namespace, source } = await convertSource(ctx, { ...opts, config: undefined, namespace: opts.namespace ?? runtimeCfg.namespace }, fromCompose ? undefined : cfg);
  const { plan, execute } = await import('../../k8s/deploy.js');
  let canary: { services: string[]; spec: { percentage: number; durationSeconds: number } } | undefined;
  if (opts.canary !== undefined) {
    const pct = Number(String(opts.canary).replace(/%$/, ''));
    if (!(pct > 0 && pct < 100)) throw invalidInput(`--canary '${opts.canary}' is not a percentage between 1 and 99`);
    const { parseCanaryDuration } = await import('../../k8s/canary.js');
    const dur = parseCanaryDuration(opts.canaryDuration ?? '1h');
    if (dur === undefined) throw invalidInput(`--canary-duration '${opts.canaryDuration}' is not a duration`, { hint: 'like 1h, 30m, 2h30m' });
    const deployments = conv.objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
    const wanted = opts.canaryServices ? opts.canaryServices.split(',').map((s) => s.trim()).filter(Boolean) : deployments;
    const unknown = wanted.filter((w) => !deployments.includes(w));
    if (unknown.length) throw invalidInput(`--canary-services: no Deployment named ${unknown.join(', ')}`, { hint: `Deployments: ${deployments.join(', ')}` });
    canary = { services: wanted, spec: { percentage: pct, durationSeconds: dur } };
  }
  const dopts = {
    namespace,
    context: typeof runtimeCfg.context === 'string' ? runtimeCfg.context : undefined,
    timeoutSeconds,
    canary,
    dataMoves: conv.dataMoves,
    moveData: opts.moveData,
    overwriteData: opts.overwriteData,
    composeProject: opts.composeProject,
    echo: (l: string) => ctx.out.debug(l),
    progress: (l: string) => ctx.out.progress(l),
    signal: ctx.signal,
    env: ctx.env,
  };
  const steps = plan(conv.objects, dopts);
  if (opts.dryRun) {
    return {
      data: { dryRun: true, runtime, environment: opts.env, namespace, source, steps },
      text: [`Would deploy to kubernetes namespace ${namespace} (environment ${opts.env}):`, ...steps.map((s, i) => `  ${i + 1}. ${s.step}: ${s.detail}`)],
    };
  }
  ctx.log.log('info', 'deploy.start', { runtime, environment: opts.env, namespace, objects: conv.objects.length });
  const result = await execute(conv.objects, dopts);
  ctx.log.log('info', 'deploy.end', { runtime, namespace, rolledOut: result.rolledOut });
  const skippedMoves = !opts.moveData && conv.dataMoves.length;
  return {
    data: { runtime, environment: opts.env, source, ...result, pendingDataMoves: opts.moveData ? [] : conv.dataMoves },
    text: [
      `Deployed to kubernetes namespace ${namespace}${result.namespaceCreated ? ' (created)' : ''}: ${result.applied.length} object(s) applied, ${result.rolledOut.length} rollout(s) complete`,
      ...(result.canary ? [`  canary (${result.canary.mode}): ${result.canary.services.join(', ')} at ${result.canary.percentage}% for ${result.canary.durationSeconds}s`] : []),
      ...(skippedMoves ? [`  ${conv.dataMoves.length} PVC(s) were not filled from the docker data: run again with --move-data on the docker host, or copy by hand (docs/kubernetes.md)`] : []),
    ],
  };
};

/**
 * Docker, with the config installed in the environment's home: its services started by that home's docker
 * runtime (the compose file and project `mcp start`, `status` and `stop` there use; a separate project would
 * run containers that `mcp status` calls missing, as a real engine showed), then waited for until every service
 * answers its health check, within --timeout.
 */
async function deployWithRuntime(ctx: Parameters<Handler>[0], opts: DeployOpts, timeoutSeconds: number) {
  const { loadPlatform } = await import('../../runtime/index.js');
  // --runtime docker over a config that names another runtime: docker it is (the home's own commands follow its config)
  const loaded = await loadPlatform(ctx.home);
  const platform = { ...loaded, runtime: { ...loaded.runtime, type: 'docker' as const } };
  const runtime = await ctx.deps.runtimeFor(platform, { home: ctx.home, env: ctx.env, log: ctx.log, signal: ctx.signal, echo: (l) => ctx.out.debug(l) });
  // the compose file the runtime writes, as it was: put back when the deploy fails (with the config, by the caller)
  const { composeFilePath, projectName } = await import('../../runtime/docker.js');
  const composeFile = composeFilePath(ctx.home);
  const before = await readFile(composeFile).catch(() => undefined);
  const project = projectName(platform, ctx.home);
  let started: Awaited<ReturnType<typeof runtime.start>>;
  try {
    started = await runtime.start(platform.services, {});
    const { untilHealthy } = await import('../../health/rule.js');
    const judged = await untilHealthy(platform, platform.services, { home: ctx.home, env: ctx.env, signal: ctx.signal, withinMs: timeoutSeconds * 1000, timeoutMs: 2000, states: () => runtime.status(platform.services) });
    const bad = judged.filter((h) => !h.healthy);
    if (bad.length) {
      throw failedError(`the ${opts.env} services did not all become healthy within ${timeoutSeconds} s: ${bad.map((h) => `${h.name} (${h.detail})`).join(', ')}`, { hint: `see why with: mcp --home ${ctx.home} logs --service ${bad[0]!.name}; mcp --home ${ctx.home} status --detailed` });
    }
  } catch (e) {
    // what ran before comes back: the previous definitions recreated from the previous compose file, or, when there
    // was none, what this deploy started stopped (the caller puts the config back)
    const compose = (args: string[]) => run('docker', ['compose', '-p', project, '-f', composeFile, ...args], { echo: (l) => ctx.out.debug(l), env: ctx.env, timeoutMs: 120_000, cwd: ctx.home });
    try {
      if (before) {
        await writeFileAtomic(composeFile, before, { mode: 0o600 });
        await compose(['up', '-d']);
      } else {
        await compose(['stop', '-t', '10']);
        await rm(composeFile, { force: true });
      }
    } catch (u) {
      await (before ? writeFileAtomic(composeFile, before, { mode: 0o600 }) : rm(composeFile, { force: true }));
      ctx.out.warn(`the deploy failed and the ${opts.env} containers could not be put back as they were (${(u as Error).message.split('\n')[0]}): mcp --home ${ctx.home} start --all starts the previous config's services`);
    }
    throw e;
  }
  ctx.log.log('info', 'deploy.docker', { environment: opts.env, project, services: started.services });
  return { data: { runtime: 'docker', environment: opts.env, files: started.files ?? [], project, services: started.services }, text: `Deployed ${started.services.length} service(s) with ${runtime.describe()}; all healthy` };
}

async function deployDocker(ctx: Parameters<Handler>[0], opts: DeployOpts, cfg?: { doc: Record<string, any>; path: string }) {
  let files = opts.compose ?? [];
  let project = opts.composeProject;
  // the compose file we write, as it was before: put back if `compose up` fails
  let written: { path: string; before: Buffer | undefined } | undefined;
  if (!files.length) {
    const { default: yaml } = await import('js-yaml');
    const doc = composeFromConfig(cfg!.doc, ctx.home);
    const path = join(layout(ctx.home).state, 'compose', `${opts.env}.compose.yaml`);
    if (!opts.dryRun) {
      written = { path, before: await readFile(path).catch(() => undefined) };
      await writeFileAtomic(path, yaml.dump(doc), { mode: 0o600 });
    }
    files = [path];
    project ??= String(doc.name);
  }
  const argv = ['compose', ...files.flatMap((f) => ['-f', resolve(f)]), ...(project ? ['-p', project] : []), 'up', '-d', '--wait', '--wait-timeout', String(parseTimeout(opts.timeout))];
  if (opts.dryRun) {
    return { data: { dryRun: true, runtime: 'docker', environment: opts.env, steps: [{ step: 'compose', detail: `docker ${argv.join(' ')}` }] }, text: [`Would run: docker ${argv.join(' ')}`] };
  }
  // kept small on purpose: src/runtime/docker.ts (runtime helper) owns compose; this is the one call we need
  try {
    await run('docker', argv, { echo: (l) => ctx.out.debug(l), signal: ctx.signal, env: ctx.env, timeoutMs: (parseTimeout(opts.timeout) + 60) * 1000 });
  } catch (e) {
    if (written) await (written.before ? writeFileAtomic(written.path, written.before, { mode: 0o600 }) : rm(written.path, { force: true }));
    throw e;
  }
  return { data: { runtime: 'docker', environment: opts.env, files, project }, text: `Deployed with docker compose (${files.join(', ')})` };
}
