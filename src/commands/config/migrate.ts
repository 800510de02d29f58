// `mcp migrate --from 4.x --to 5.x --config config-v4.json --output config-v5.json`
import { extname, resolve } from 'node:path';
import type { Handler } from '../../cli/program.js';
import { invalidInput } from '../../errors.js';
import { writeFileAtomic } from '../../fsutil.js';
import { fillPlaceholders, placeholderPaths, serialize, transformConfig, readStoredConfig } from '../../config/index.js';
import { readConfigFile, homeConfigIfAny, homeConfigAt, notesText } from './common.js';

interface Opts {
  from?: string;
  to: string;
  config?: string;
  output?: string;
  dryRun?: boolean;
}

export const migrateHandler: Handler<Opts> = async (ctx, opts) => {
  if (!opts.output && !opts.dryRun) throw invalidInput('--output is required (or --dry-run to only report)', { hint: 'e.g. --output config-v5.json' });
  const file = opts.config ?? (await readStoredConfig(ctx.home)).path;
  const input = await readConfigFile(file, '--config');
  const result = transformConfig(input.doc, opts.from, opts.to, { where: opts.config ?? file });
  // secrets exported as placeholders come back from the home's config, transformed the same way
  let config = result.config;
  let filled: string[] = [];
  let unresolved: string[] = [];
  if (placeholderPaths(config).length) {
    const current = await homeConfigIfAny(ctx.home);
    const source = homeConfigAt(current, result.to);
    const f = source ? fillPlaceholders(config, source) : { doc: config, filled: [], unresolved: placeholderPaths(config) };
    config = f.doc;
    filled = f.filled;
    unresolved = f.unresolved;
    if (unresolved.length) ctx.out.warn(`${unresolved.length} secret(s) are still [REDACTED] placeholders (${unresolved.slice(0, 3).join(', ')}${unresolved.length > 3 ? ', …' : ''}); mcp config import fills them from the home's config`);
  }
  const output = opts.output ? resolve(opts.output) : undefined;
  const ext = output ? extname(output).toLowerCase() : '';
  const format = ext === '.json' ? 'json' : ext === '.yaml' || ext === '.yml' ? 'yaml' : result.to.startsWith('4.') ? 'yaml' : 'json';
  if (output && !opts.dryRun) {
    if (output === input.path) throw invalidInput('--output is the input file; write the result elsewhere', { hint: 'keep the input: it is your way back' });
    await writeFileAtomic(output, serialize(config, format), { mode: 0o600 });
  }
  ctx.log.log('info', 'config.migrate', { from: result.from, to: result.to, path: result.path, input: input.path, output, dryRun: Boolean(opts.dryRun) });
  const data = {
    from: result.from,
    to: result.to,
    path: result.path,
    input: input.path,
    output: opts.dryRun ? null : output,
    format,
    dryRun: Boolean(opts.dryRun),
    breakingChanges: result.notes,
    manualActions: result.manualActions,
    reported: result.reported,
    placeholders: { filled, unresolved },
    services: Array.isArray(config.services) ? config.services.length : 0,
  };
  const text = [
    `${opts.dryRun ? 'Would migrate' : 'Migrated'} ${input.path} from ${result.from} to ${result.to} (${result.path.join(' → ')})${output && !opts.dryRun ? `: wrote ${output}` : ''}`,
    ...notesText(result.notes, result.manualActions, result.reported),
  ];
  return { data, text };
};
