// No input can hang or crash the CLI: a YAML alias bomb, an alias into its own ancestor, JSON nested 10,000 deep and
// a FIFO, given to every command that reads a config or a plan, each exit 2 about as fast as a well-formed file (no hang), naming file:line; SIGTERM
// is honoured within 2 s; everything mcp writes under the home is owner-only whatever the umask.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { lstatSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MCP, mcp, ROOT, tempDir } from '../helpers/cli.js';

const dir = tempDir('mcp-hostile-');
const files: Record<string, { path: string; message: RegExp }> = {};
beforeAll(() => {
  const bomb = ['version: "4.2"', 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  let prev = 'a';
  for (const n of 'bcdefghij') {
    bomb.push(`${n}: &${n} [${Array(9).fill(`*${prev}`).join(',')}]`);
    prev = n;
  }
  writeFileSync(join(dir, 'bomb.yaml'), bomb.join('\n') + '\n');
  writeFileSync(join(dir, 'self.yaml'), 'version: "4.2"\nservices: &s\n  - name: x\n    deps: *s\n');
  writeFileSync(join(dir, 'deep.json'), `{"version":"5.0","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
  execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
  files.bomb = { path: join(dir, 'bomb.yaml'), message: /bomb\.yaml:1:1: the YAML expands its aliases too far/ };
  files.self = { path: join(dir, 'self.yaml'), message: /self\.yaml:4:11: the alias \*s refers to a node that contains it/ };
  files.deep = { path: join(dir, 'deep.json'), message: /deep\.json:1:\d+: nested more than 100 levels deep/ };
  files.fifo = { path: join(dir, 'fifo.yaml'), message: /fifo\.yaml is a FIFO \(named pipe\), not a regular file/ };
});

const commands: Array<(f: string) => string[]> = [
  (f) => ['config', 'validate', '--file', f],
  (f) => ['config', 'import', '--file', f],
  (f) => ['migrate', '--from', '4.x', '--to', '5.x', '--config', f, '--output', join(dir, 'out.json')],
  (f) => ['migration', 'execute', '--plan', f, '--dry-run'],
  (f) => ['migration', 'convert', '--config', f, '--stdout'],
  (f) => ['migration', 'convert', '--compose', f, '--stdout'],
  (f) => ['deploy', '--env', 'staging', '--config', f, '--dry-run'],
];

/** How long `mcp config validate --file` takes on a small valid config, on this machine, now. */
async function baseline(): Promise<number> {
  const f = join(tempDir(), 'ok.yaml');
  writeFileSync(f, 'version: "4.2"\nenvironment: production\nservices: []\n');
  const t0 = Date.now();
  await mcp(['config', 'validate', '--file', f], { home: tempDir() });
  return Date.now() - t0;
}

describe('hostile inputs', { timeout: 120_000 }, () => {
  for (const kind of ['bomb', 'self', 'deep', 'fifo']) {
    it(`${kind}: every command reading it exits 2 as fast as a well-formed file, naming file:line`, async () => {
      const home = tempDir();
      // "cannot hang": against the same command on a well-formed file, measured now (the machine's load
      // is in both), not against a fixed number of milliseconds
      const base = await baseline();
      for (const args of commands) {
        const f = files[kind]!;
        const t0 = Date.now();
        const r = await mcp(args(f.path), { home, timeoutMs: 10_000 });
        const ms = Date.now() - t0;
        expect(r.exitCode, `${args(f.path).join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(f.message);
        expect(r.stderr.split('\n').filter((l) => l.startsWith('mcp: error:'))).toHaveLength(1);
        expect(ms, `${args(f.path).join(' ')} took ${ms} ms; a well-formed file ${base} ms`).toBeLessThan(3 * base + 1000);
      }
    });
  }

  it('the home config itself a bomb: upgrade refuses it (exit 2) instead of hanging', async () => {
    const home = tempDir();
    expect((await mcp(['init', '--example'], { home })).exitCode).toBe(0);
    execFileSync('cp', [files.bomb!.path, join(home, 'config', 'platform.yaml')]);
    const base = await baseline();
    const t0 = Date.now();
    const r = await mcp(['upgrade', '--to', '5.0'], { home, timeoutMs: 10_000 });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/platform\.yaml:1:1: the YAML expands its aliases too far/);
    expect(Date.now() - t0).toBeLessThan(3 * base + 1000);
  });

  it('SIGTERM during an upgrade: the process is gone within 2 s of the signal, exit 130', async () => {
    const home = tempDir();
    expect((await mcp(['init', '--example'], { home })).exitCode).toBe(0);
    const child = spawn(process.execPath, [MCP, '--home', home, 'upgrade', '--to', '6.0'], { cwd: ROOT, env: { ...process.env, CI: 'true', NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<{ code: number | null; at: number }>((r) => child.on('exit', (code) => r({ code, at: Date.now() })));
    // once it is under way
    for (let i = 0; i < 200 && !/backing up|stop all services|pre-checks|installed version/.test(stderr); i++) await new Promise((r) => setTimeout(r, 25));
    const sent = Date.now();
    child.kill('SIGTERM');
    const { code, at } = await exited;
    expect(at - sent, stderr).toBeLessThan(2500);
    expect(code).toBe(130);
  });

  it('everything under the home is owner-only after the example upgrade, even with umask 000', async () => {
    const home = tempDir();
    const sh = (args: string) => execFileSync('sh', ['-c', `umask 000; exec "${process.execPath}" "${MCP}" --home "${home}" ${args}`], { cwd: ROOT, env: { ...process.env, CI: 'true', NO_COLOR: '1' }, stdio: 'pipe' });
    sh('init --example');
    sh('upgrade --to 6.0');
    sh('backup create --full');
    const open: string[] = [];
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        const st = lstatSync(p);
        if (st.isSymbolicLink()) continue;
        if ((st.mode & 0o077) !== 0) open.push(`${(st.mode & 0o777).toString(8)} ${p}`);
        if (st.isDirectory()) walk(p);
      }
    };
    walk(home);
    expect(open).toEqual([]);
    expect(lstatSync(home).mode & 0o077).toBe(0);
  });
});
