// The guide's "Upgrading from v4.x to v5.x" steps, one command at a time, on the example installation,
// without --yes and without a terminal, ending with the guide's verification.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mcp, tempDir } from '../helpers/cli.js';

/** `mcp ARGS` in `home`, expected to exit 0 (the failure names the command and its stderr) */
const succeeds = (home: string) => async (args: string[]) => {
  const r = await mcp(args, { home });
  expect(r.exitCode, `mcp ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
};

describe("the guide's v4 → v5 migration steps", () => {
  it('stop, backup, export, migrate, import, db migrate, start, health, verify', async () => {
    const home = tempDir();
    const dir = tempDir();
    const ok = succeeds(home);
    await ok(['init', '--example']);
    await ok(['stop', '--all']);
    await ok(['backup', 'create', '--full', '--name', 'v4-final-backup']);
    writeFileSync(join(dir, 'config-v4.json'), (await ok(['config', 'export', '--format', 'v4'])).stdout);
    await ok(['migrate', '--from', '4.x', '--to', '5.x', '--config', join(dir, 'config-v4.json'), '--output', join(dir, 'config-v5.json')]);
    await ok(['config', 'import', '--file', join(dir, 'config-v5.json')]);
    await ok(['db', 'migrate', '--version', '5.0']);
    await ok(['start', '--all']);
    expect((await ok(['version', '--current'])).stdout.trim()).toBe('5.0');
    const v = await mcp(['migration', 'verify', '--version', '5.0', '--json'], { home });
    const checks = v.json().checks as Array<{ name: string; status: string; detail: string }>;
    expect(checks.find((c) => c.name === 'data')).toMatchObject({ status: 'passed' });
    // by content: db migrate snapshotted the 200 v4 records before it changed anything
    expect(checks.find((c) => c.name === 'data')!.detail).toMatch(/^200 records, each identical to the snapshot taken before mcp db migrate to 5\.0 \(/);
    expect(v.exitCode, JSON.stringify(checks, null, 2)).toBe(0);
  });

  it("after the manual steps on an operator's own config, rollback.sh's `mcp version restore 4.2` brings back their v4 file as it was", async () => {
    const home = tempDir();
    const dir = tempDir();
    const ok = succeeds(home);
    await ok(['init', '--version', '4.2']);
    // their own file: comments, an anchor, a field no version defines
    const own = [
      '# production, edited by hand',
      'version: "4.2"',
      'environment: production',
      'defaults: &defaults',
      '  restart: always',
      'services:',
      '  - name: auth_service',
      '    <<: *defaults',
      '    type: core',
      '    image: mcp/auth:4.2',
      '    ports: ["8081:8080"]',
      '    cost_center: ops-17',
      '',
    ].join('\n');
    writeFileSync(join(home, 'config/platform.yaml'), own);
    await ok(['migrate', '--from', '4.x', '--to', '5.x', '--config', join(home, 'config/platform.yaml'), '--output', join(dir, 'config-v5.json')]);
    await ok(['config', 'import', '--file', join(dir, 'config-v5.json')]);
    expect((await ok(['version', '--current'])).stdout.trim()).toBe('5.0');
    const v5 = readFileSync(join(home, 'config/platform.json'), 'utf8');

    const back = await ok(['version', 'restore', '4.2']);
    expect(back.stdout + back.stderr).toMatch(/4\.2/);
    expect((await ok(['version', '--current'])).stdout.trim()).toBe('4.2');
    expect(readFileSync(join(home, 'config/platform.yaml'), 'utf8')).toBe(own);
    // and forward again: the imported v5 config was kept as 5.0's
    await ok(['version', 'restore', '5.0']);
    expect(readFileSync(join(home, 'config/platform.json'), 'utf8')).toBe(v5);
    expect((await ok(['version', '--current'])).stdout.trim()).toBe('5.0');
  });
});
