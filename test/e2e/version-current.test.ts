// `mcp version --current` tells what the home's config says is installed, however it got there.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mcp, tempDir } from '../helpers/cli.js';

describe('mcp version --current', () => {
  it('follows the guide\'s manual v4 → v5 steps (config export, migrate, config import)', async () => {
    const home = tempDir();
    const dir = tempDir();
    expect((await mcp(['init', '--example'], { home })).exitCode).toBe(0); // records 4.2 in the version history
    expect((await mcp(['version', '--current'], { home })).stdout.trim()).toBe('4.2');
    const exp = await mcp(['config', 'export', '--format', 'v4'], { home });
    expect(exp.exitCode).toBe(0);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'config-v4.json'), exp.stdout);
    const mig = await mcp(['migrate', '--from', '4.x', '--to', '5.x', '--config', join(dir, 'config-v4.json'), '--output', join(dir, 'config-v5.json')], { home });
    expect(mig.exitCode, mig.stderr).toBe(0);
    const imp = await mcp(['config', 'import', '--file', join(dir, 'config-v5.json')], { home });
    expect(imp.exitCode, imp.stderr).toBe(0);
    const cur = await mcp(['version', '--current', '--json'], { home });
    expect(cur.json()).toEqual({ current: '5.0' });
  });
});
