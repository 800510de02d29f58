// The middle layer: handlers called in-process with their dependencies injected (a fake runtime, a scratch
// embedded database, a fixed clock) — what a command does with what it is given, without spawning the binary.
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { fakeRuntime, testCtx } from '../helpers/ctx.js';
import { pgliteHome } from '../helpers/pglite.js';
import { openDatabase } from '../../src/db/open.js';
import { seedV4Example } from '../../src/db/layouts.js';
import { startHandler, stopHandler } from '../../src/commands/services/lifecycle.js';
import { statusHandler } from '../../src/commands/services/status.js';
import { dbStatusHandler } from '../../src/commands/db/status.js';
import { dbMigrateHandler } from '../../src/commands/db/migrate.js';
import { scheduleHandler } from '../../src/commands/migration/schedule.js';
import { failure } from '../helpers/errors.js';

function v5Home(services: string[]): string {
  const home = tempDir();
  mkdirSync(join(home, 'config'), { recursive: true });
  writeFileSync(
    join(home, 'config', 'platform.json'),
    JSON.stringify({ version: '5.0', environment: 'staging', runtime: { type: 'docker' }, services: services.map((name, i) => ({ name, type: 'mcp', image: `mcp/${name}:5.0`, ports: [`${3001 + i}:3000`], dependsOn: i ? [services[0]] : [] })) }),
  );
  return home;
}

describe('services handlers with an injected runtime', () => {
  it('stop --all asks the runtime to stop every service, in one call; start brings them back in dependency order', async () => {
    const home = v5Home(['registry-service', 'filesystem-mcp', 'git-mcp']);
    const rt = fakeRuntime({ 'registry-service': 'running', 'filesystem-mcp': 'running', 'git-mcp': 'running' });
    const ctx = testCtx({ home, deps: { runtimeFor: rt.factory } });
    const stopped = await stopHandler(ctx, { all: true }, []);
    expect(rt.calls).toEqual(['stop registry-service,filesystem-mcp,git-mcp']);
    expect(stopped!.data).toMatchObject({ action: 'stop', services: ['registry-service', 'filesystem-mcp', 'git-mcp'] });
    expect(stopped!.text).toEqual(['Stopped registry-service, filesystem-mcp, git-mcp (fake docker runtime)']);
    const started = await startHandler(ctx, { version: '5.0' }, ['git_mcp']);
    expect(rt.calls.at(-1)).toBe('start git-mcp {"version":"5.0"}');
    expect(started!.text).toEqual(['Started at 5.0 git-mcp (fake docker runtime)']);
  });

  it('status reports what the runtime says, per service, with a summary; an unknown name is one usage error', async () => {
    const home = v5Home(['auth-service', 'git-mcp']);
    const rt = fakeRuntime({ 'auth-service': 'running', 'git-mcp': 'stopped' });
    const ctx = testCtx({ home, deps: { runtimeFor: rt.factory } });
    const r = await statusHandler(ctx, {}, []);
    expect((r!.data as { services: unknown[] }).services).toEqual([
      { name: 'auth-service', type: 'mcp', state: 'running', detail: undefined },
      { name: 'git-mcp', type: 'mcp', state: 'stopped', detail: undefined },
    ]);
    expect(r!.text).toContain('Services: 1 running, 1 stopped');
    const e = await failure(startHandler(ctx, {}, ['nope']));
    expect(e).toMatchObject({ exitCode: 2, hint: 'known services: auth-service, git-mcp' });
    expect(rt.calls).toEqual(['status auth-service,git-mcp']);
  });
});

describe('db handlers with an injected database', () => {
  it('db status and db migrate through the opener they are given (a scratch embedded database)', async () => {
    const home = await pgliteHome();
    const seed = await openDatabase({ home, env: {} });
    await seedV4Example(seed as never, { rows: 30 });
    await seed.close();
    const opened: string[] = [];
    const ctx = testCtx({ home, command: 'db migrate', deps: { openDatabase: async (o) => (opened.push(o.command ?? ''), openDatabase(o)) } });
    const before = await dbStatusHandler(ctx, {}, []);
    expect(before!.data).toMatchObject({ layout: 'v4', pending: 4, current: undefined });
    const up = await dbMigrateHandler(ctx, { version: '5.0' }, []);
    expect((up!.data as { actions: { file: string }[] }).actions.map((a) => a.file)).toEqual(['4.0.0_1__single_table_layout.sql', '5.0.0_1__multi_table_layout.sql', '5.0.0_2__add_deployment_features.sql']);
    expect((up!.data as { content: unknown }).content).toMatchObject({ ok: true, records: 30 });
    // both went through the injected opener (the database was never opened behind the handler's back)
    expect(opened).toEqual(['mcp db migrate', 'mcp db migrate']);
  });
});

describe('a handler with an injected clock', () => {
  it('schedule warns about a date in the past relative to the clock it is given, not the machine', async () => {
    const home = v5Home(['git-mcp']);
    const at = (iso: string) => testCtx({ home, deps: { now: () => new Date(iso) } });
    const past = at('2030-01-10T12:00:00Z');
    await scheduleHandler(past, { to: '6.0', date: '2030-01-05', window: '02:00-06:00' }, []);
    expect(past.stderr()).toMatch(/--date 2030-01-05 is in the past \(today is 2030-01-10\)/);
    const ahead = at('2029-12-01T12:00:00Z');
    const r = await scheduleHandler(ahead, { to: '6.0', date: '2030-01-05', window: '02:00-06:00' }, []);
    expect(ahead.stderr()).not.toMatch(/in the past/);
    expect(JSON.stringify(r!.data)).toContain('2030-01-05');
  });
});
