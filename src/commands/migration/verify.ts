// `mcp migration verify --version V` / `mcp-migrate verify --version V`: the report of run/verify.ts, one line
// per check (and per item with --step-by-step); exit 3 when any check failed.
import type { Handler } from '../../cli/program.js';
import { ExitCode } from '../../cli/errors.js';
import { usageError } from '../../errors.js';
import { verifyInstallation } from '../../run/verify.js';

export const verifyHandler: Handler<{ version?: string; stepByStep?: boolean; baseline?: string }> = async (ctx, opts) => {
  let version = opts.version;
  if (!version) {
    const { currentVersion } = await import('../../version-history.js');
    version = await currentVersion(ctx.home);
    if (!version) throw usageError('which version? pass --version V', { hint: 'e.g. mcp migration verify --version 5.0' });
  }
  const report = await verifyInstallation({ home: ctx.home, env: ctx.env, version, signal: ctx.signal, baseline: opts.baseline });
  const lines = [`Verify ${version}: ${report.ok ? 'passed' : 'FAILED'}`];
  for (const c of report.checks) {
    lines.push(`  ${c.status === 'passed' ? '✓' : '✗'} ${c.name}: ${c.detail}`);
    if (opts.stepByStep) for (const i of c.items ?? []) lines.push(`      ${i.ok ? '✓' : '✗'} ${i.name}${i.detail ? ` — ${i.detail}` : ''}`);
  }
  return { data: report, text: lines, exitCode: report.ok ? ExitCode.OK : ExitCode.PRECONDITION };
};
