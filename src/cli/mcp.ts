// The `mcp` command tree: every command of the migration guide, one module per group.
import type { Command } from 'commander';
import { createProgram, type App, type Register } from './program.js';
import { registerInit } from './commands/init.js';
import { registerHelp } from './commands/help.js';
import { registerMigration } from './commands/migration.js';
import { registerDb } from './commands/db.js';
import { registerBackup } from './commands/backup.js';
import { registerOps } from './commands/ops.js';
import { registerServices } from './commands/services.js';
import { registerConfig } from './commands/config.js';
import { registerK8s } from './commands/k8s.js';
import { registerDashboard } from './commands/dashboard.js';

export const MCP_REGISTERS: Register[] = [registerInit, registerDb, registerServices, registerConfig, registerOps, registerBackup, registerK8s, registerMigration, registerDashboard, registerHelp];

export function buildMcp(app: App): Command {
  return createProgram(
    app,
    'Operate and migrate an MCP Platform installation: check, plan, back up, execute, verify and roll back.',
    MCP_REGISTERS,
  );
}
