// The guide's pre-migration-check.sh as one command: ten checks, the first seven measured, the last
// three human confirmations (prompts on a TTY, flags for scripts and CI).
import type { Invocation } from '../invoke.js';
import { failureLine } from '../invoke.js';

export type CheckStatus = 'pass' | 'fail' | 'warn';

export interface PreflightCheck {
  n: number;
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  hint?: string;
  /** the command a user would run for the same answer */
  command?: string;
  data?: unknown;
  ms: number;
}

export const CONFIRMATIONS = [
  { n: 8, id: 'tested-in-staging', flag: '--tested-in-staging', key: 'testedInStaging', title: 'Tested in staging', question: 'Have you tested in staging?', refusal: 'Please test in staging first!' },
  { n: 9, id: 'maintenance-window', flag: '--window-scheduled', key: 'windowScheduled', title: 'Maintenance window scheduled', question: 'Is maintenance window scheduled?', refusal: 'Please schedule maintenance window!' },
  { n: 10, id: 'users-notified', flag: '--users-notified', key: 'usersNotified', title: 'Users notified', question: 'Have users been notified?', refusal: 'Please notify users!' },
] as const;
export type ConfirmationKey = (typeof CONFIRMATIONS)[number]['key'];

export const TITLES: Record<number, string> = {
  1: 'Current version',
  2: 'Target version compatibility',
  3: 'Backup of the current state',
  4: 'Configuration exported',
  5: 'Services documented',
  6: 'Disk space',
  7: 'Database reachable',
  8: 'Tested in staging',
  9: 'Maintenance window scheduled',
  10: 'Users notified',
};

/** A check from an invocation of another command: pass when it exited 0, else its error line. */
export function fromInvocation(n: number, id: string, inv: Invocation, passDetail: (data: any, inv: Invocation) => string): PreflightCheck {
  if (inv.ok) return { n, id, title: TITLES[n]!, status: 'pass', detail: passDetail(inv.data, inv), command: inv.command, data: inv.data, ms: inv.ms };
  return { n, id, title: TITLES[n]!, status: 'fail', detail: failureLine(inv), hint: inv.error?.hint, command: inv.command, data: inv.data ?? inv.error, ms: inv.ms };
}

export interface PreflightReport {
  targetVersion: string;
  ok: boolean;
  checks: PreflightCheck[];
  failed: string[];
  warnings: string[];
  files: string[];
  startedAt: string;
  ms: number;
}

export function summarize(targetVersion: string, checks: PreflightCheck[], files: string[], started: Date): PreflightReport {
  const failed = checks.filter((c) => c.status === 'fail').map((c) => c.id);
  return {
    targetVersion,
    ok: failed.length === 0,
    checks,
    failed,
    warnings: checks.filter((c) => c.status === 'warn').map((c) => c.id),
    files,
    startedAt: started.toISOString(),
    ms: Date.now() - started.getTime(),
  };
}

export function checkLine(c: PreflightCheck): string {
  const mark = c.status === 'pass' ? '✓' : c.status === 'warn' ? '!' : '✗';
  return `[${c.n}/10] ${mark} ${c.title}: ${c.detail}`;
}

export function reportText(r: PreflightReport): string[] {
  const lines = ['=== Pre-Migration Checklist ===', ...r.checks.flatMap((c) => [checkLine(c), ...(c.status === 'fail' && c.hint ? [`       hint: ${c.hint}`] : [])])];
  if (r.ok) lines.push(r.warnings.length ? `Pre-migration checklist complete (with warnings: ${r.warnings.join(', ')})!` : 'Pre-migration checklist complete!');
  else lines.push(`Pre-migration checklist FAILED: ${r.failed.join(', ')} (exit 3)`);
  return lines;
}
