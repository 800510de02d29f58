// `mcp config validate [--file F] [--schema v6]` — the guide's validate-migration.py, with field paths.
import type { Handler } from '../../cli/program.js';
import { ExitCode } from '../../cli/errors.js';
import { readStoredConfig, registerConfigSecrets, validateConfig } from '../../config/index.js';
import { readConfigFile } from './common.js';

interface Opts {
  file?: string;
  schema?: string;
}

export const validateHandler: Handler<Opts> = async (ctx, opts) => {
  let file: string;
  let doc: Record<string, unknown>;
  if (opts.file) {
    const f = await readConfigFile(opts.file);
    file = opts.file;
    doc = f.doc;
  } else {
    const s = await readStoredConfig(ctx.home);
    registerConfigSecrets(s.doc);
    file = s.path;
    doc = s.doc;
  }
  const v = validateConfig(doc, opts.schema);
  const version = doc.version === undefined ? null : String(doc.version);
  ctx.log.log(v.ok ? 'info' : 'warn', 'config.validate', { file, schema: `v${v.generation}`, ok: v.ok, issues: v.issues.length });
  const text = v.ok
    ? [`✓ Configuration valid for version ${version} (schema v${v.generation}): ${file}`, ...v.unknown.map((u) => `  warning: unknown field kept as it is: ${u}`)]
    : [`✗ Configuration invalid for schema v${v.generation}: ${file}`, ...v.issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`), ...v.unknown.map((u) => `  warning: unknown field: ${u}`)];
  return {
    data: { ok: v.ok, file, version, schema: `v${v.generation}`, valid: v.ok, issues: v.issues, unknown: v.unknown },
    text,
    exitCode: v.ok ? ExitCode.OK : ExitCode.USAGE,
  };
};
