// `mcp logs` and `mcp logs export` over a home whose logs the test wrote.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MCP, mcp, tempDir } from '../helpers/cli.js';

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const H = 3_600_000;

function seed(): string {
  const home = tempDir('mcp-logs-');
  mkdirSync(join(home, 'logs'), { recursive: true });
  const lines = [
    { time: ago(3 * H), level: 'error', command: 'migration execute', event: 'step.failed', step: 'old' },
    { time: ago(30 * 60_000), level: 'info', command: 'migration execute', event: 'step.start', step: 'stop-services' },
    { time: ago(20 * 60_000), level: 'error', command: 'migration execute', event: 'step.failed', step: 'migrate-data', message: 'relation "users" does not exist' },
    { time: ago(10 * 60_000), level: 'warn', command: 'health', event: 'service.unhealthy', service: 'git-mcp' },
    { time: ago(5 * 60_000), level: 'error', command: 'backup create', event: 'command.error', message: 'disk full' },
  ];
  writeFileSync(join(home, 'logs/mcp.log'), lines.map((l) => JSON.stringify({ pid: 1, ...l })).join('\n') + '\n');
  writeFileSync(join(home, 'logs/migration.log'), `${ago(15 * 60_000)} ERROR rollback point 2 reached\n    at step migrate-data\n${ago(2 * H)} INFO old line\n`);
  return home;
}

describe('mcp logs', () => {
  it('--since 1h --level error: recent errors of every source, oldest first', async () => {
    const home = seed();
    const r = await mcp(['logs', '--since', '1h', '--level', 'error', '--json'], { home });
    expect(r.exitCode).toBe(0);
    const doc = r.json();
    expect(doc.entries.map((e: any) => [e.service, e.event ?? e.message])).toEqual([
      ['migration', 'step.failed'],
      ['migration', 'rollback point 2 reached'],
      ['migration', '    at step migrate-data'],
      ['mcp', 'command.error'],
    ]);
    expect(doc.counts).toEqual({ debug: 0, info: 0, warn: 0, error: 4 });
    const t = await mcp(['logs', '--since', '1h', '--level', 'error'], { home });
    expect(t.stdout.trim().split('\n')).toHaveLength(4);
    expect(t.stdout).toMatch(/ERROR migration \[migration execute\] step\.failed relation "users" does not exist step=migrate-data/);
  });

  it('--service picks one service; --all and no flag show everything; the command does not list itself', async () => {
    const home = seed();
    const git = (await mcp(['logs', '--service', 'git-mcp', '--json'], { home })).json();
    expect(git.entries.map((e: any) => e.event)).toEqual(['service.unhealthy']);
    const all = (await mcp(['logs', '--all', '--since', '11m', '--json'], { home })).json();
    expect(all.entries.map((e: any) => e.event)).toEqual(['service.unhealthy', 'command.error']);
    expect((await mcp(['logs', '--json'], { home })).json().count).toBe(8);
  });

  it('bad times and levels: exit 2, one line naming the flag', async () => {
    const home = seed();
    const a = await mcp(['logs', '--since', 'yesterday'], { home });
    expect(a.exitCode).toBe(2);
    expect(a.stderr.split('\n')[0]).toBe("mcp: error: --since 'yesterday' is not a time");
    const b = await mcp(['logs', '--level', 'loud'], { home });
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toMatch(/--level 'loud' is not a log level/);
  });

  it('says so when nothing matches', async () => {
    const r = await mcp(['logs', '--service', 'nothing-here'], { home: seed() });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^no log entries match \(service nothing-here\)/);
  });

  it('--follow prints new matching lines until interrupted', async () => {
    const home = seed();
    const child = execa(process.execPath, [MCP, 'logs', '--follow', '--level', 'error', '--since', '1m'], { env: { ...process.env, MCP_HOME: home, NO_COLOR: '1' }, reject: false });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    const until = async (cond: () => boolean, ms = 40_000) => {
      const end = Date.now() + ms;
      while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(cond()).toBe(true);
    };
    await until(() => err.includes('following'));
    appendFileSync(join(home, 'logs/mcp.log'), JSON.stringify({ time: new Date().toISOString(), level: 'info', command: 'x', event: 'ignored.info' }) + '\n');
    appendFileSync(join(home, 'logs/mcp.log'), JSON.stringify({ time: new Date().toISOString(), level: 'error', command: 'migration execute', event: 'live.failure' }) + '\n');
    await until(() => out.includes('live.failure'));
    child.kill('SIGINT');
    const r = await child;
    expect(out).not.toContain('ignored.info');
    expect(r.exitCode).toBe(0);
  });
});

describe('mcp logs export', () => {
  it('writes the guide\'s export as one JSON file with exactly the matching entries', async () => {
    const home = seed();
    const from = new Date(Date.now() - H).toISOString();
    const to = new Date(Date.now() - 12 * 60_000).toISOString();
    const out = join(tempDir(), 'migration-analysis.json');
    const r = await mcp(['logs', 'export', '--service', 'migration', '--from', from, '--to', to, '--output', out], { home });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`Exported 4 log entries to ${out}\n`);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc).toMatchObject({ format: 'mcp-logs-export/1', count: 4, filter: { service: ['migration'], from: new Date(from).toISOString(), to: new Date(to).toISOString() } });
    expect(doc.entries.map((e: any) => e.fields?.step ?? e.message)).toEqual(['stop-services', 'migrate-data', 'rollback point 2 reached', '    at step migrate-data']);
    expect(readdirSync(join(out, '..'))).toEqual(['migration-analysis.json']);
  });

  it('--from after --to: exit 2, nothing written', async () => {
    const home = seed();
    const out = join(tempDir(), 'x.json');
    const r = await mcp(['logs', 'export', '--from', '2025-07-24T23:59:59Z', '--to', '2025-07-24T00:00:00Z', '--output', out], { home });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--from 2025-07-24T23:59:59.000Z is after --to/);
    expect(existsSync(out)).toBe(false);
  });

  it('without --output prints the document on stdout', async () => {
    const r = await mcp(['logs', 'export', '--service', 'git-mcp'], { home: seed() });
    expect(r.exitCode).toBe(0);
    expect(r.json()).toMatchObject({ format: 'mcp-logs-export/1', count: 1 });
  });
});

describe("mcp logs: the services' logs through the runtime", () => {
  it('--all adds docker compose logs (timestamps, per service), merged in time order; a missing docker is a warning', async () => {
    const { fakeBins } = await import('../helpers/fakebin.js');
    const { opsHome } = await import('../helpers/ops-home.js');
    const home = await opsHome({ runtime: { type: 'docker', project: 'mcp-ops-test' }, services: [{ name: 'filesystem-mcp', type: 'mcp', image: 'mcp/filesystem:5.0' }, { name: 'git-mcp', type: 'mcp', image: 'mcp/git:5.0' }] });
    const t1 = ago(4 * 60_000);
    const t2 = ago(3 * 60_000);
    const fakes = fakeBins(tempDir(), {
      docker: [{ args: ['compose', '-p', 'mcp-ops-test'], stdout: `filesystem-mcp-1  | ${t1.replace('Z', '123456Z')} ERROR EACCES: permission denied, open '/data/x'\ngit-mcp-1  | ${t2} listening on :3000\n` }],
    });
    const r = await mcp(['logs', '--all', '--since', '10m', '--json'], { home, env: { PATH: fakes.path } });
    expect(r.exitCode).toBe(0);
    const doc = r.json();
    const svc = doc.entries.filter((e: any) => e.source.startsWith('docker:'));
    expect(svc.map((e: any) => [e.service, e.level, e.message])).toEqual([
      ['filesystem-mcp', 'error', "EACCES: permission denied, open '/data/x'"],
      ['git-mcp', 'info', 'listening on :3000'],
    ]);
    const call = fakes.calls('docker')[0]!.argv;
    expect(call.slice(0, 3)).toEqual(['compose', '-p', 'mcp-ops-test']);
    expect(call).toEqual(expect.arrayContaining(['logs', '--timestamps', '--since', 'filesystem-mcp', 'git-mcp']));

    const errOnly = await mcp(['logs', '--service', 'filesystem-mcp', '--level', 'error', '--json'], { home, env: { PATH: fakes.path } });
    expect(errOnly.json().entries.map((e: any) => e.service)).toEqual(['filesystem-mcp']);

    const noDocker = await mcp(['logs', '--all'], { home, env: { PATH: '/nonexistent' } });
    expect(noDocker.exitCode).toBe(0);
    expect(noDocker.stderr).toMatch(/warning: the services' logs from docker are missing: docker not found on PATH/);
  });
});
