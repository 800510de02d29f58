// A terminal mcp cannot draw in: `script` gives the command a pty of 0 columns (what automation often
// has). The upgrade must finish with plain lines, not hang behind a spinner redrawing forever.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MCP, mcp, tempDir } from '../helpers/cli.js';

describe('a terminal of 0 columns', () => {
  it('mcp upgrade --to 5.0 under script(1) completes with one plain line per step', async () => {
    const home = tempDir();
    expect((await mcp(['init', '--example'], { home })).exitCode).toBe(0);
    const typescript = join(tempDir(), 'typescript');
    // no controlling terminal here: script's pty has 0 rows and 0 columns
    const r = await execa('script', ['-qec', `${process.execPath} ${MCP} --home ${home} upgrade --to 5.0`, typescript], { reject: false, timeout: 120_000, stdin: 'ignore', env: { ...process.env, TERM: 'xterm-256color', CI: '' } });
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(0);
    // a spinner there wrote hundreds of MB; plain lines are a few KB
    expect(statSync(typescript).size).toBeLessThan(64 * 1024);
    // eslint-disable-next-line no-control-regex -- the colour codes (ESC [ … m) are what is stripped
    const out = readFileSync(typescript, 'utf8').replace(/\x1b\[[0-9;]*m/g, ''); // colours are fine, redraws are not
    expect(out).toMatch(/✓ backup › back up everything \(v4-final-backup\)/);
    expect(out).toMatch(/Upgrade 4\.2 → 5\.0: completed/);
    expect(out).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/); // no spinner frame
    expect((await mcp(['version', '--current'], { home })).stdout.trim()).toBe('5.0');
  }, 180_000);
});
