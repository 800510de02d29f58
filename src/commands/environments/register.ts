import { Option } from 'commander';
import type { Register } from '../../cli/program.js';
import { group, handle, leaf } from '../../cli/program.js';
import { HOME_IS_ARGUMENT } from '../../cli/context.js';

export const registerEnvironments: Register = (program, app) => {
  const envs = group(program, 'environments', 'the other environments (installations) this home deploys to and copies data into', ['mcp environments add staging --home /srv/mcp-staging', 'mcp environments list']);
  const add = leaf(envs, {
    name: 'add <name>',
    description: "register another environment's home (an installation of its own: mcp init --env NAME creates one)",
    examples: ['mcp environments add staging --home /srv/mcp-staging', 'mcp --home ~/mcp-dev environments add production --home /srv/mcp-production'],
  });
  // here --home is the other environment's home; this home comes from before the command or MCP_HOME
  const own = add.options.find((o) => o.long === '--home');
  if (own) (add.options as Option[]).splice(add.options.indexOf(own), 1);
  add.addOption(new Option('--home <dir>', "the environment's home (this home: MCP_HOME, or mcp --home X environments add …)").makeOptionMandatory());
  HOME_IS_ARGUMENT.add(add);
  handle(add, app, async () => (await import('./handlers.js')).addHandler);

  const list = leaf(envs, { name: 'list', description: "this home's environment and the registered ones, with their homes", examples: ['mcp environments list', 'mcp environments list --json'] });
  handle(list, app, async () => (await import('./handlers.js')).listHandler);

  const remove = leaf(envs, { name: 'remove <name>', description: 'forget a registered environment (its home is not touched)', examples: ['mcp environments remove staging'] }).option('--dry-run', 'say what would be removed');
  handle(remove, app, async () => (await import('./handlers.js')).removeHandler);

  const retire = leaf(envs, {
    name: 'retire-blue',
    description: 'after a blue/green switch, remove the color that no longer serves (Kubernetes: its Deployments; docker: its containers); asks first: a rollback cannot switch back afterwards',
    examples: ['mcp environments retire-blue --env production --dry-run', 'mcp environments retire-blue --env production --expired --yes'],
  })
    .option('--env <name>', 'the environment whose home it acts on (default: this one)')
    .option('--expired', 'only once the keep window set by the switch has ended (for cron)')
    .option('--dry-run', 'say what would be removed');
  handle(retire, app, async () => (await import('./handlers.js')).retireBlueHandler);
};
