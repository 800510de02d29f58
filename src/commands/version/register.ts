// `mcp version [--current]` and `mcp version restore <version>`: the platform version of this home and its history.
import type { Register } from '../../cli/program.js';
import { handle, leaf } from '../../cli/program.js';

export const registerVersion: Register = (program, app) => {
  const version = leaf(program, { name: 'version', description: 'the platform version of this home and its version history', examples: ['mcp version --current', 'mcp version', 'mcp version restore 4.2'] }).option('--current', 'print only the current platform version');
  handle(version, app, async () => (await import('./version.js')).versionHandler);
  const restore = leaf(version, { name: 'restore <version>', description: 'put back the config a version ran with (from the version history) and make it current', examples: ['mcp version restore 4.2'] });
  handle(restore, app, async () => (await import('./version.js')).versionRestoreHandler);
};
