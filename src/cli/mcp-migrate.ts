// The `mcp-migrate` command tree: check, plan, execute, verify, rollback over the same core as `mcp`.
import type { Command } from 'commander';
import { createProgram, type App, type Register } from './program.js';
import { registerHelp } from '../commands/help/register.js';
import { registerMigrateCheck, registerMigrateTool } from '../commands/migration/register.js';

export const MIGRATE_REGISTERS: Register[] = [registerMigrateCheck, registerMigrateTool, registerHelp];

export const MIGRATE_DESCRIPTION = 'Plan, execute, verify and roll back MCP Platform migrations (the same core as `mcp migration`).';

export function buildMcpMigrate(app: App): Command {
  return createProgram(app, MIGRATE_DESCRIPTION, MIGRATE_REGISTERS);
}
