// The built binaries, run as a user would.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mcp, mcpMigrate, tempDir, ROOT } from '../helpers/cli.js';
import { renderCommandsMarkdown } from '../../src/cli/commands-doc.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

describe('mcp binary', () => {
  it('--version prints the package version', async () => {
    const r = await mcp(['--version']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
  });

  it('an unknown command exits 2 with one error line and a hint, nothing on stdout', async () => {
    const r = await mcp(['qwertyuiop'], { home: tempDir() });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("mcp: error: unknown command 'qwertyuiop'\nhint: run 'mcp --help' to see the commands\n");
  });

  it('an unknown option exits 2 and points at the command help', async () => {
    const r = await mcp(['init', '--bogus'], { home: tempDir() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^mcp: error: unknown option '--bogus'\nhint: run 'mcp init --help' for usage\n$/);
  });

  it('--help lists the commands of both binaries', async () => {
    const a = await mcp(['--help']);
    expect(a.exitCode).toBe(0);
    expect(a.stdout).toMatch(/Commands:[\s\S]*\binit\b/);
    const b = await mcpMigrate(['--help']);
    expect(b.exitCode).toBe(0);
    expect(b.stdout).toMatch(/Usage: mcp-migrate/);
  });

  it('every command has examples in its help', async () => {
    const r = await mcp(['init', '--help']);
    expect(r.stdout).toMatch(/Examples:\n {2}\$ mcp init --version 5\.0/);
  });

  it('help exit-codes documents every code, in text and JSON', async () => {
    const t = await mcp(['help', 'exit-codes']);
    expect(t.exitCode).toBe(0);
    for (const code of [0, 1, 2, 3, 4, 5, 130]) expect(t.stdout).toMatch(new RegExp(`^\\s*${code}\\s`, 'm'));
    const j = await mcp(['help', 'exit-codes', '--json']);
    expect(j.json().exitCodes.map((d: { code: number }) => d.code)).toEqual([0, 1, 2, 3, 4, 5, 130]);
    const doc = readFileSync(join(ROOT, 'docs/exit-codes.md'), 'utf8');
    for (const code of [0, 1, 2, 3, 4, 5, 130]) expect(doc).toMatch(new RegExp(`\\| ${code} \\|`));
  });

  it('init creates the documented layout at a version, honouring MCP_HOME and --home', async () => {
    const home = join(tempDir(), 'home');
    const r = await mcp(['init', '--version', '4.2', '--json'], { home });
    expect(r.exitCode).toBe(0);
    expect(r.json()).toMatchObject({ home, version: '4.2', config: join(home, 'config/platform.yaml') });
    for (const d of ['config', 'data', 'backups', 'state', 'logs']) expect(existsSync(join(home, d)), d).toBe(true);
    const other = join(tempDir(), 'other');
    const r2 = await mcp(['--home', other, 'init', '--version', '5.0'], { home });
    expect(r2.exitCode).toBe(0);
    expect(existsSync(join(other, 'config/platform.json'))).toBe(true);
  });

  it('init refuses an initialised home with exit 3 and changes nothing', async () => {
    const home = tempDir();
    expect((await mcp(['init', '--version', '5.0'], { home })).exitCode).toBe(0);
    const before = readFileSync(join(home, 'config/platform.json'), 'utf8');
    const r = await mcp(['init', '--version', '6.0'], { home });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/already holds a platform config/);
    expect(readFileSync(join(home, 'config/platform.json'), 'utf8')).toBe(before);
  });

  it('bad input: exit 2, one line, no stack trace unless --verbose', async () => {
    const home = tempDir();
    const r = await mcp(['init', '--version', '9.9'], { home });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr.split('\n')[0]).toBe("mcp: error: --version '9.9' is not a platform version this CLI knows");
    expect(existsSync(join(home, 'config'))).toBe(false);
    const j = await mcp(['init', '--version', '9.9', '--json'], { home });
    expect(j.json().error).toMatchObject({ code: 'invalid_input', exitCode: 2 });
  });

  it('appends JSON lines to <home>/logs/mcp.log with the secret-looking argv redacted', async () => {
    const home = tempDir();
    await mcp(['init', '--version', '6.0'], { home });
    await mcp(['init', '--version', 'postgres://u:topsecret@h/db'], { home });
    const lines = readFileSync(join(home, 'logs/mcp.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.event)).toEqual(['command.start', 'home.init', 'command.end', 'command.start', 'command.error', 'command.end']);
    expect(lines.at(-1)).toMatchObject({ event: 'command.end', exitCode: 2 });
    for (const l of lines) expect(Object.keys(l)).toEqual(expect.arrayContaining(['time', 'level', 'command', 'event']));
    expect(readFileSync(join(home, 'logs/mcp.log'), 'utf8')).not.toContain('topsecret');
  });

  it('docs/commands.md is generated from the command tree and up to date (npm run docs)', () => {
    expect(readFileSync(join(ROOT, 'docs/commands.md'), 'utf8')).toBe(renderCommandsMarkdown());
  });
});
