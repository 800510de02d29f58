// Fresh embedded-database homes without paying initdb each time: one PGlite data directory is
// initialized per test file, then copied (closed, so a consistent cluster) into each new home.
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './cli.js';
import { openSql } from '../../src/db/open.js';

let template: Promise<string> | undefined;

export async function pgliteHome(): Promise<string> {
  template ??= (async () => {
    const home = tempDir('mcp-pglite-template-');
    const db = await openSql({ home, env: {} });
    await db.close();
    return home;
  })();
  const src = await template;
  const home = tempDir('mcp-pglite-');
  mkdirSync(join(home, 'state'), { recursive: true });
  cpSync(join(src, 'state', 'pglite'), join(home, 'state', 'pglite'), { recursive: true });
  return home;
}
