import type { Register } from '../program.js';
import { handle, leaf } from '../program.js';

export const registerInit: Register = (program, app) => {
  const cmd = leaf(program, {
    name: 'init',
    description: 'create a platform home at a platform version (config, data, backups, state, logs)',
    examples: ['mcp init --version 5.0', 'mcp --home /srv/mcp init --version 4.2', 'MCP_HOME=/tmp/mcp mcp init --json'],
  })
    .option('--version <version>', 'platform version of the new home: 4.0-4.2, 5.0-5.2 or 6.0', '6.0')
    .option('--env <name>', 'environment: development, staging or production', 'development');
  handle(cmd, app, async () => (await import('../../core/init.js')).initHandler);
};
