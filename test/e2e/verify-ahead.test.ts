// After a config-only rollback (`mcp version restore 5.0`, the guide's rollback.sh step 2) the database
// is still at 6.0: verification must say so, not pass. And the configs it keeps are owner-only files.
import { describe, expect, it } from 'vitest';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { mcp, tempDir } from '../helpers/cli.js';

describe('a 5.0 config over a 6.0 database', () => {
  it('migration verify --version 5.0 fails naming the migration ahead and the command that fixes it; after it, passes', async () => {
    const home = tempDir();
    expect((await mcp(['init', '--example'], { home })).exitCode).toBe(0);
    expect((await mcp(['upgrade', '--to', '6.0'], { home, timeoutMs: 120_000 })).exitCode).toBe(0);
    expect((await mcp(['version', 'restore', '5.0'], { home })).exitCode).toBe(0);

    const ahead = await mcp(['migration', 'verify', '--version', '5.0', '--json'], { home });
    expect(ahead.exitCode).toBe(3);
    const db = ahead.json().checks.find((c: { name: string }) => c.name === 'database');
    expect(db).toMatchObject({ status: 'failed', detail: expect.stringMatching(/the database is ahead of 5\.0: 6\.0\.0_1\S* applied; roll it back with mcp db rollback --to 5\.0/) });

    expect((await mcp(['db', 'rollback', '--to', '5.0'], { home })).exitCode).toBe(0);
    const ok = await mcp(['migration', 'verify', '--version', '5.0'], { home });
    expect(ok.exitCode, ok.stdout).toBe(0);

    // the current config and every kept version hold secrets: readable by the owner only
    const files = [join(home, 'config/platform.json'), ...readdirSync(join(home, 'state/versions')).filter((v) => statSync(join(home, 'state/versions', v)).isDirectory()).flatMap((v) => readdirSync(join(home, 'state/versions', v)).map((f) => join(home, 'state/versions', v, f)))];
    expect(files.length).toBeGreaterThan(2);
    for (const f of files) expect((statSync(f).mode & 0o077).toString(8), f).toBe('0');
  }, 240_000);
});
