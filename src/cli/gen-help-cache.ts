// Part of `npm run build`: render every help text into dist/help-cache.json (src/cli/help-cache.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderHelp, type HelpCache } from './help-cache.js';
import { MCP_REGISTERS, MCP_DESCRIPTION } from './mcp.js';
import { MIGRATE_REGISTERS, MIGRATE_DESCRIPTION } from './mcp-migrate.js';

const cache: HelpCache = {
  mcp: await renderHelp('mcp', MCP_DESCRIPTION, MCP_REGISTERS),
  'mcp-migrate': await renderHelp('mcp-migrate', MIGRATE_DESCRIPTION, MIGRATE_REGISTERS),
};
// dist/src/cli/ → dist/help-cache.json
writeFileSync(join(fileURLToPath(new URL('../../', import.meta.url)), 'help-cache.json'), JSON.stringify(cache));
