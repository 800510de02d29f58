// Which commands are migration commands: their mcp.log lines belong to the `migration` service
// (`mcp logs --service migration`), and those that change something leave a line in migration.log.

/**
 * Commands that run or inspect migrations, by their command path (`db migrate`, `migration execute`;
 * `mcp-migrate check|plan|execute|verify|rollback` log with the bare command name).
 */
export const MIGRATION_COMMAND = /^(migrate|migration\b|upgrade|db migrate|db rollback|db repair|db baseline|check|plan|execute|verify|rollback|resume)\b/;

/**
 * Migration commands that run the executor: it narrates every event of theirs in migration.log
 * (src/commands/migration/run.ts: executeHandler, upgradeHandler, resumeHandler, rollbackHandler, abortHandler).
 * `migration pause` only asks the running run to pause; that run narrates it.
 */
const EXECUTOR_COMMAND = /^(upgrade|migration (execute|resume|abort|pause)|execute|rollback|resume)$/;

/** Migration commands that only read, check, report or print a plan: nothing happened to narrate. */
const READ_ONLY_COMMAND =
  /^(check|plan|verify|migration (status|check|requirements|validate|test|preflight|schedule|validate-data|verify-data|verify))$/;

/**
 * Whether the end of a command is written to migration.log (one line: done, or failed with its exit code
 * and message): the migration commands that change something and are not executor runs, i.e. `db migrate`,
 * `db rollback`, `db repair`, `db baseline`, `migrate`, `migration transform`, `migration export-data`,
 * `migration convert`.
 */
export function narratesEnd(command: string): boolean {
  return MIGRATION_COMMAND.test(command) && !EXECUTOR_COMMAND.test(command) && !READ_ONLY_COMMAND.test(command);
}
