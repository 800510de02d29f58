// `mcp config import --file F [--env NAME] [--dry-run]`: validate, fill secret placeholders from the
// current config, keep the current one under config/history/, write atomically.
import type { Handler } from '../../cli/program.js';
import { enterHome } from '../../cli/home-guard.js';
import { registeredEnvironment } from '../../environments.js';
import { invalidInput } from '../../errors.js';
import { ensureLayout } from '../../home.js';
import { applyEnvOverlay, assertValid, fillPlaceholders, placeholderPaths, versionOfDoc, writeConfig, fileFor } from '../../config/index.js';
import { readConfigFile, homeConfigIfAny, homeConfigAt } from './common.js';
import { join } from 'node:path';
import { layout } from '../../home.js';
import { withVersionHistory } from '../../version-history.js';

interface Opts {
  file: string;
  env?: string;
  dryRun?: boolean;
}

export const importHandler: Handler<Opts> = async (ctx, opts) => {
  const input = await readConfigFile(opts.file);
  let doc = input.doc;
  const version = versionOfDoc(doc, `${opts.file}: version`);
  const changes: string[] = [];
  if (opts.env) {
    const o = applyEnvOverlay(doc, opts.env);
    doc = o.doc;
    changes.push(...o.changes);
  }
  // --env NAME, a registered environment other than this home's: the config goes into that home
  const other = opts.env ? await registeredEnvironment(ctx.home, opts.env) : undefined;
  if (other) ctx = await enterHome(ctx, other.home, opts as unknown as Record<string, unknown>);
  if (opts.dryRun) return importInto(ctx, opts, input, doc, version, changes, Boolean(other));
  // the config must not change under a migration or a restore of the home it goes into
  const { withHomeLock } = await import('../../run/home-lock.js');
  return withHomeLock(ctx.home, 'config import', () => importInto(ctx, opts, input, doc, version, changes, Boolean(other)));
};

async function importInto(
  ctx: Parameters<Handler>[0],
  opts: Opts,
  input: Awaited<ReturnType<typeof readConfigFile>>,
  doc: Record<string, unknown>,
  version: ReturnType<typeof versionOfDoc>,
  changes: string[],
  other: boolean,
) {
  const current = await homeConfigIfAny(ctx.home);
  let filled: string[] = [];
  if (other && placeholderPaths(doc).length) {
    // into another environment: its own secrets (its config, MCP_<ENV>_SECRET_*, its secrets file)
    const { fillFromEnvironment } = await import('../../config/env-secrets.js');
    const f = await fillFromEnvironment(doc, { home: ctx.home, env: ctx.env, where: opts.file, environment: opts.env!, own: false });
    doc = f.doc;
    filled = f.filled.map((x) => x.path);
  } else if (placeholderPaths(doc).length) {
    const source = homeConfigAt(current, version);
    const f = source ? fillPlaceholders(doc, source) : { doc, filled: [], unresolved: placeholderPaths(doc) };
    if (f.unresolved.length) {
      throw invalidInput(`${f.unresolved.length} secret(s) are [REDACTED] placeholders with no value in the current config: ${f.unresolved.slice(0, 3).join(', ')}${f.unresolved.length > 3 ? ', …' : ''}`, {
        where: `${opts.file}: ${f.unresolved[0]}`,
        hint: 'put the secret in the file (or export with --include-secrets); nothing was written',
      });
    }
    doc = f.doc;
    filled = f.filled;
  }
  const v = assertValid(doc, version, opts.file);
  const target = join(layout(ctx.home).config, fileFor(v.generation).name);
  let written: Awaited<ReturnType<typeof writeConfig>> | undefined;
  if (!opts.dryRun) {
    await ensureLayout(ctx.home);
    // the replaced config stays restorable by version (`mcp version restore`), like an upgrade's
    written = await withVersionHistory(ctx.home, () => writeConfig(ctx.home, doc, { where: opts.file, source: input.text }));
  }
  for (const u of v.unknown) ctx.out.warn(`unknown field kept as it is: ${u}`);
  if (current && current.generation !== v.generation) {
    ctx.out.warn(`the home's config goes from ${current.version} to ${version}: run the database migrations (mcp db migrate --version ${version}) before starting services`);
  }
  ctx.log.log('info', 'config.import', { file: input.path, version, env: opts.env, dryRun: Boolean(opts.dryRun), previous: written?.previous });
  const data = {
    file: input.path,
    version,
    previousVersion: current?.version ?? null,
    config: written?.path ?? target,
    previous: written?.previous ?? null,
    removed: written?.removed ?? null,
    dryRun: Boolean(opts.dryRun),
    overlay: changes,
    filledFromEnvironment: filled,
    unknown: v.unknown,
  };
  const text = [
    opts.dryRun ? `${opts.file} is a valid ${version} config; would write ${target}${current ? ` (replacing ${current.version})` : ''}` : `Imported ${opts.file} (${version}) into ${written!.path}`,
    ...(written?.previous ? [`  previous config kept: ${written.previous}`] : []),
    ...(filled.length ? [`  ${filled.length} secret(s) taken from ${other ? `the ${opts.env} environment's own secrets` : 'the current config'}`] : []),
    ...changes.map((c) => `  overlay: ${c}`),
  ];
  return { data, text };
}
