// A v5 platform home for the ops tests: `mcp init`, then the config fields a test needs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mcp, tempDir } from './cli.js';

export async function opsHome(patch: Record<string, unknown> = {}, version = '5.0'): Promise<string> {
  const home = tempDir('mcp-ops-');
  const r = await mcp(['init', '--version', version], { home });
  if (r.exitCode !== 0) throw new Error(`init failed: ${r.stderr}`);
  const path = join(home, 'config/platform.json');
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  writeFileSync(path, JSON.stringify({ ...doc, ...patch }, null, 2));
  return home;
}
