// `mcp version [--current]` and `mcp version restore V` over the home's version history.
import type { Handler } from '../../cli/program.js';
import { packageVersion } from '../../paths.js';
import { currentVersion, readHistory, restoreVersion } from '../../version-history.js';

export const versionHandler: Handler<{ current?: boolean }> = async (ctx, opts) => {
  const current = await currentVersion(ctx.home);
  const h = await readHistory(ctx.home);
  if (opts.current) return { data: { current: current ?? null }, text: current ?? 'no platform installed in this home' };
  return {
    data: { cli: packageVersion, current: current ?? null, history: h.entries },
    text: [`mcp ${packageVersion}`, `platform: ${current ?? 'none'}`, ...h.entries.map((e) => `  ${e.version}  ${e.at}${e.config ? `  config kept (${e.config})` : ''}${e.backupId ? `  backup ${e.backupId}` : ''}`)],
  };
};

export const versionRestoreHandler: Handler<Record<string, never>> = async (ctx, _opts, args) => {
  const r = await restoreVersion(ctx.home, args[0]!);
  ctx.log.log('info', 'version.restore', { version: r.version, previous: r.previous });
  return {
    data: r,
    text: [`Restored the ${r.version} config to ${r.config}${r.previous ? ` (the ${r.previous} config is kept in the version history)` : ''}`, `The database and data files are not touched: restore them with mcp backup restore --id ID --data-only`],
  };
};
