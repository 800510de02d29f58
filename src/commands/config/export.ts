// `mcp config export [--format v4|json|yaml] [--env NAME] [--include-secrets]` → stdout (for `> file`).
import type { Handler } from '../../cli/program.js';
import { enterHome } from '../../cli/home-guard.js';
import { registeredEnvironment } from '../../environments.js';
import { invalidInput, preconditionError, usageError } from '../../errors.js';
import { applyEnvOverlay, assertValid, loadConfig, maskSecrets, serialize } from '../../config/index.js';

interface Opts {
  format: string;
  env?: string;
  includeSecrets?: boolean;
}

export const exportHandler: Handler<Opts> = async (ctx, opts) => {
  const format = String(opts.format).toLowerCase();
  if (!['json', 'yaml', 'v4'].includes(format)) throw invalidInput(`--format '${opts.format}' is not a format`, { hint: 'use json, yaml or v4' });
  // --json is a promise of JSON on stdout: the export then is the JSON document itself
  if (ctx.global.json && format !== 'json') throw usageError(`--json prints JSON; --format ${format} prints YAML`, { hint: 'drop --json, or use --format json' });
  if (opts.includeSecrets && process.stdout.isTTY) {
    throw usageError('refusing to print secrets to a terminal', { hint: 'redirect stdout to a file you protect (mcp config export --include-secrets > file), or drop --include-secrets' });
  }
  // --env NAME, a registered environment other than this home's: that home's config, as it is
  const other = opts.env ? await registeredEnvironment(ctx.home, opts.env) : undefined;
  if (other) ctx = await enterHome(ctx, other.home, opts as unknown as Record<string, unknown>);
  const loaded = await loadConfig(ctx.home);
  if (format === 'v4' && loaded.generation !== 4) {
    throw preconditionError(`the config is ${loaded.version}; --format v4 exports a v4 config`, { hint: 'use --format json or yaml (a v5/v6 config cannot be turned back into v4)' });
  }
  let doc = loaded.doc as Record<string, unknown>;
  // export the file as written (not the defaults-filled parse), with the overlay applied
  doc = JSON.parse(JSON.stringify(doc));
  const changes: string[] = [];
  if (opts.env && !other) {
    const o = applyEnvOverlay(doc, opts.env);
    doc = o.doc;
    changes.push(...o.changes);
    assertValid(doc, loaded.version, `${loaded.path} (with --env ${opts.env})`);
  }
  const out = opts.includeSecrets ? doc : maskSecrets(doc);
  for (const c of changes) ctx.out.debug(`overlay: ${c}`);
  ctx.log.log('info', 'config.export', { version: loaded.version, env: opts.env, format, includeSecrets: Boolean(opts.includeSecrets) });
  return { raw: serialize(out, format === 'json' ? 'json' : 'yaml') };
};
