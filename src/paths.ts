// Where the package's own files are (migrations/, schemas/, examples), from src/ under a test runner
// or from dist/src/ when installed.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && JSON.parse(readFileSync(pj, 'utf8')).name === '@mcp-platform/mcp') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('mcp: cannot find the package root (package.json of @mcp-platform/mcp)');
    dir = up;
  }
}

export const packageRoot = findRoot();
export const packageVersion: string = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version;
export const pkgPath = (...parts: string[]) => join(packageRoot, ...parts);
