// `mcp migration validate --source 5.x`: is this installation a sound source for a migration?
import type { Handler } from '../../cli/program.js';
import { isMcpError } from '../../errors.js';
import { ExitCode } from '../../cli/errors.js';
import { exists } from '../../fsutil.js';
import { layout } from '../../home.js';
import { EDGES, loadConfig, readStoredConfig, validateConfig } from '../../config/index.js';
import { parseVersion } from '../../versions.js';
import { databaseRequirement, renderChecks, type Requirement } from './requirements.js';

export const migrationValidateHandler: Handler<{ source: string }> = async (ctx, opts) => {
  const want = parseVersion(opts.source, '--source');
  const checks: Requirement[] = [];
  const stored = await readStoredConfig(ctx.home); // no config: exit 3 from the store
  const version = String(stored.doc.version ?? '');
  const have = parseVersion(version, 'version');
  const matches = have.major === want.major && (want.minor === undefined || want.minor === have.minor);
  checks.push({ name: 'version', status: matches ? 'pass' : 'fail', detail: matches ? `the installation is at ${version}` : `the installation is at ${version}, not ${opts.source}` });
  const v = validateConfig(stored.doc);
  checks.push(
    v.ok
      ? { name: 'config', status: 'pass', detail: `${stored.path} valid for v${v.generation}${v.unknown.length ? `; ${v.unknown.length} unknown field(s) will be carried: ${v.unknown.slice(0, 3).join(', ')}` : ''}` }
      : { name: 'config', status: 'fail', detail: `${stored.path}: ${v.issues[0]!.path}: ${v.issues[0]!.message}${v.issues.length > 1 ? ` (+${v.issues.length - 1} more; mcp config validate)` : ''}` },
  );
  let loaded;
  try {
    loaded = v.ok ? await loadConfig(ctx.home) : undefined;
  } catch (e) {
    if (!isMcpError(e)) throw e;
  }
  const minor = `${have.major}.${have.minor ?? 0}` as keyof typeof EDGES;
  const next = EDGES[minor] ?? [];
  checks.push({ name: 'upgrade path', status: next.length ? 'pass' : 'fail', detail: next.length ? `from ${minor} to ${next.join(' or ')}` : `${minor} has no upgrade path` });
  const dataDir = layout(ctx.home).data;
  checks.push({ name: 'data dir', status: (await exists(dataDir)) ? 'pass' : 'fail', detail: dataDir });
  if (loaded) checks.push(await databaseRequirement(ctx, loaded.doc));
  else checks.push({ name: 'database', status: 'not checked', detail: 'the config is not valid' });
  const ok = checks.every((c) => c.status !== 'fail');
  ctx.log.log(ok ? 'info' : 'warn', 'migration.validate', { source: opts.source, version, failed: checks.filter((c) => c.status === 'fail').map((c) => c.name) });
  return { data: { source: opts.source, version, ok, checks }, text: renderChecks(`Validating the installation as a ${opts.source} source:`, checks), exitCode: ok ? ExitCode.OK : ExitCode.PRECONDITION };
};
