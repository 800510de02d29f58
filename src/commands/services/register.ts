// Service lifecycle and health: `mcp start`, `mcp stop`, `mcp services list|verify|reset`, `mcp status`,
// `mcp health`, and `mcp data migrate`. All reversible, so they run from scripts without --yes.
import { Option } from 'commander';
import type { Register } from '../../cli/program.js';
import { group, handle, leaf } from '../../cli/program.js';

const timeoutOpt = () => new Option('--timeout <duration>', "per-check timeout (500ms, 5s, 2m); default: each service's healthCheck.timeout, else 5s");

export const registerServices: Register = (program, app) => {
  const start = leaf(program, {
    name: 'start [names...]',
    description: 'start services with the configured runtime (docker compose, kubectl, or none = external)',
    examples: ['mcp start --all', 'mcp start filesystem-mcp git-mcp', 'mcp start --all --version 4.2'],
  })
    .option('--all', 'every service in the config')
    .option('--version <version>', 'run this platform version (image tag) instead of the configured one');
  handle(start, app, async () => (await import('./lifecycle.js')).startHandler);

  const stop = leaf(program, {
    name: 'stop [names...]',
    description: 'stop services (reversible: containers and deployments are kept, `mcp start` brings them back)',
    examples: ['mcp stop --all', 'mcp stop filesystem-mcp git-mcp', 'mcp stop --all --force'],
  })
    .option('--all', 'every service in the config')
    .option('--force', 'kill instead of a graceful stop (docker compose kill; kubectl deletes the pods at once)');
  handle(stop, app, async () => (await import('./lifecycle.js')).stopHandler);

  const services = group(program, 'services', 'the configured services: list, verify after a migration, reset', ['mcp services list --format names']);
  const list = leaf(services, {
    name: 'list',
    description: 'list the services of the config (no runtime needed)',
    examples: ['mcp services list', 'mcp services list --format json > services-backup.json', 'for service in $(mcp services list --format names); do mcp health $service; done'],
  }).addOption(new Option('--format <format>', 'table, json (a JSON list of the services), or names (one per line, for scripts)').choices(['table', 'json', 'names']));
  handle(list, app, async () => (await import('./list.js')).listHandler);

  const verify = leaf(services, {
    name: 'verify [names...]',
    description: 'check each service is running and healthy, and each MCP server kept its tools (exit 3 on any problem)',
    examples: ['mcp services verify --all', 'mcp services verify filesystem-mcp --json', 'mcp services verify --all --accept'],
  })
    .option('--all', 'every service in the config')
    .option('--accept', "accept the MCP servers' current tool lists as the new baseline (after an intended removal)")
    .addOption(timeoutOpt());
  handle(verify, app, async () => (await import('./verify.js')).verifyHandler);

  const reset = leaf(services, {
    name: 'reset [names...]',
    description: 'remove and recreate services from the configured definition (data volumes are kept)',
    examples: ['mcp services reset --all', 'mcp services reset filesystem-mcp'],
  }).option('--all', 'every service in the config');
  handle(reset, app, async () => (await import('./lifecycle.js')).resetHandler);

  const status = leaf(program, {
    name: 'status',
    description: "each service's state as the runtime reports it; --detailed adds image, ports and health checks",
    examples: ['mcp status', 'mcp status --detailed', 'mcp status --json'],
  })
    .option('--detailed', 'add image, ports and a health check per service (also with --verbose)')
    .addOption(timeoutOpt());
  handle(status, app, async () => (await import('./status.js')).statusHandler);

  const health = leaf(program, {
    name: 'health [name]',
    description: 'health checks (http, tcp, command, MCP initialize + tools/list) for one service or all; unhealthy → exit 3',
    examples: ['mcp health', 'mcp health --verbose', 'mcp health filesystem-mcp || echo "Service filesystem-mcp unhealthy"', 'mcp health --json --timeout 2s'],
  })
    .addOption(timeoutOpt())
    .option('--strict', 'runtime none: an external service that does not answer is unhealthy too (docs/runtime.md, "Healthy")');
  handle(health, app, async () => (await import('./health.js')).healthHandler);


};
