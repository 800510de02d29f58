// The `mcp` command tree: every command of the migration guide, one module per group.
import type { Command } from 'commander';
import { createProgram, type App, type Register } from './program.js';
import { registerInit } from '../commands/init/register.js';
import { registerHelp } from '../commands/help/register.js';
import { registerMigration } from '../commands/migration/register.js';
import { registerDb } from '../commands/db/register.js';
import { registerBackup } from '../commands/backup/register.js';
import { registerOps } from '../commands/ops/register.js';
import { registerServices } from '../commands/services/register.js';
import { registerConfig } from '../commands/config/register.js';
import { registerDeploy } from '../commands/deploy/register.js';
import { registerData } from '../commands/data/register.js';
import { registerVersion } from '../commands/version/register.js';
import { registerDashboard } from '../commands/dashboard/register.js';
import { registerEnvironments } from '../commands/environments/register.js';

// one registration per command group (src/commands/<group>/register.ts), in the order of `mcp --help`
export const MCP_REGISTERS: Register[] = [registerInit, registerDb, registerServices, registerData, registerConfig, registerMigration, registerOps, registerBackup, registerDeploy, registerEnvironments, registerVersion, registerDashboard, registerHelp];

export const MCP_DESCRIPTION = 'Operate and migrate an MCP Platform installation: check, plan, back up, execute, verify and roll back.';

export function buildMcp(app: App): Command {
  return createProgram(app, MCP_DESCRIPTION, MCP_REGISTERS);
}
