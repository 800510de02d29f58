// `mcp dashboard`: watch and steer the home's current or last migration from a browser.
// The server and page live in src/dashboard/, loaded only when the command runs.
import { Option } from 'commander';
import type { Register } from '../../cli/program.js';
import { handle, leaf } from '../../cli/program.js';

export const registerDashboard: Register = (program, app) => {
  const cmd = leaf(program, {
    name: 'dashboard',
    description: 'serve a live web dashboard of the current or last migration (steps, canary, logs) with pause, resume and rollback; loopback only by default, control needs the printed token',
    examples: [
      'mcp dashboard',
      'mcp dashboard --port 0 --json',
      'MCP_DASHBOARD_TOKEN=$(openssl rand -base64 32) mcp dashboard --port 8090',
      'mcp dashboard --host 10.0.0.5 --port 8090',
    ],
  })
    .addOption(new Option('--port <port>', 'TCP port; 0 picks a free one').default('8090'))
    .addOption(new Option('--host <address>', 'address to listen on (anything but loopback exposes the page to the network)').default('127.0.0.1'));
  handle(cmd, app, async () => (await import('./dashboard.js')).dashboardHandler);
};
