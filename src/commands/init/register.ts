import type { Register } from '../../cli/program.js';
import { handle, leaf } from '../../cli/program.js';

export const registerInit: Register = (program, app) => {
  const cmd = leaf(program, {
    name: 'init',
    description: 'create a platform home at a platform version (config, data, backups, state, logs)',
    examples: ['mcp init --version 5.0', 'mcp --home /srv/mcp init --version 4.2', 'MCP_HOME=/tmp/mcp mcp init --json', 'mcp --home /tmp/mcp-example init --example'],
  })
    .option('--version <version>', 'platform version of the new home: 4.0-4.2, 5.0-5.2 or 6.0', '6.0')
    .option('--env <name>', 'environment: development, staging or production', 'development')
    .option('--example', 'create the bundled example v4.2 installation (9 services, data files, a seeded embedded database)');
  handle(cmd, app, async () => {
    const [{ initHandler }, { exampleHandler }] = await Promise.all([import('./init.js'), import('./example.js')]);
    return (ctx, opts: { example?: boolean; version: string; env: string }, args) => (opts.example ? exampleHandler(ctx, opts, args) : initHandler(ctx, opts, args));
  });
};
