// A run whose steps act on other homes (a promotion: staging → production): which home a step acts on, the
// locks on those homes for the whole run, and the check that a resume or a rollback acts on the homes the run
// started with. The environment a step gets there is home.ts envForOtherHome, as for `--env` commands.
import { existsSync } from 'node:fs';
import { journalPath as restoreJournalPath } from '../backup/restore-journal.js';
import { preconditionError } from '../errors.js';
import { allSteps, type Plan, type Step } from './plan.js';
import type { RunState } from './journal.js';
import { acquireLock } from './home-lock.js';

type HomesOptions = { home: string; homes?: Record<string, string> };

/** The home a step acts on. */
export function homeOf(step: Step, opts: HomesOptions): string {
  if (!step.environment) return opts.home;
  const h = opts.homes?.[step.environment];
  if (!h) throw preconditionError(`step ${step.id} acts on the ${step.environment} environment, and no home is known for it`, { hint: `register it: mcp environments add ${step.environment} --home DIR` });
  return h;
}

/**
 * The other homes a plan acts on, each locked for the whole run like the plan's own (never waits: a busy home
 * is exit 4, so no deadlock). A home with an interrupted restore is refused: it is settled there first.
 */
export function lockOthers(plan: Plan, opts: HomesOptions, id: string, command: string): Array<{ release(): void }> {
  const others = [...new Set(allSteps(plan).filter((s) => s.environment).map((s) => homeOf(s, opts)))].filter((h) => h !== opts.home).sort();
  const held: Array<{ release(): void }> = [];
  try {
    for (const h of others) {
      held.push(acquireLock(h, id, command));
      if (existsSync(restoreJournalPath(h))) {
        const env = Object.entries(opts.homes ?? {}).find(([, v]) => v === h)?.[0];
        throw preconditionError(`${h} has an interrupted restore: a plan does not act on a half-restored home`, { hint: `settle it first: mcp restore --resume${env ? ` --env ${env}` : ''}` });
      }
    }
  } catch (e) {
    for (const l of held.reverse()) l.release();
    throw e;
  }
  return held;
}

/**
 * The homes a run recorded when it started: a resume or rollback acts on the same ones, whatever the registry
 * says now (a re-registered environment must not receive another home's saved config).
 */
export function assertSameHomes(st: RunState, opts: HomesOptions): void {
  const start = st.records.find((r) => r.type === 'run.start') as { homes?: Record<string, string> } | undefined;
  for (const [env, home] of Object.entries(start?.homes ?? {})) {
    if (opts.homes?.[env] !== home) {
      throw preconditionError(`run ${st.id} acted on the ${env} environment at ${home}; it is now ${opts.homes?.[env] ? `registered at ${opts.homes[env]}` : 'not registered'}`, {
        hint: `register it again where the run found it (mcp environments add ${env} --home ${home}), then resume or roll back`,
      });
    }
  }
}
