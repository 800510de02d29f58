// A command context for calling a handler in-process (the middle test layer, between argv → options and the
// built binary): a home, captured stdout/stderr, no prompts, and injected dependencies — a fake runtime, a
// scratch database, a fixed clock — instead of module state.
import { PassThrough } from 'node:stream';
import type { Ctx, Deps } from '../../src/cli/context.js';
import { defaultDeps } from '../../src/cli/context.js';
import { Output } from '../../src/cli/output.js';
import { nullLogger } from '../../src/log.js';
import type { ServiceSpec } from '../../src/runtime/services.js';
import type { ActionResult, Runtime, ServiceState } from '../../src/runtime/types.js';
import { usageError } from '../../src/errors.js';

export interface TestCtx extends Ctx {
  stdout(): string;
  stderr(): string;
}

export function testCtx(o: { home: string; command?: string; env?: NodeJS.ProcessEnv; deps?: Partial<Deps>; json?: boolean }): TestCtx {
  let out = '';
  let err = '';
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const env = o.env ?? {};
  const global = { home: o.home, json: o.json ?? false, yes: false, verbose: false, quiet: false, color: false };
  return {
    bin: 'mcp',
    command: o.command ?? 'test',
    home: o.home,
    global,
    out: new Output({ json: global.json, quiet: false, verbose: false, color: false, stdout, stderr, env }),
    log: nullLogger,
    env,
    canPrompt: false,
    signal: new AbortController().signal,
    deps: { ...defaultDeps, ...o.deps },
    async confirm(q: string) {
      throw usageError(`${q}: no terminal in this test`);
    },
    stdout: () => out,
    stderr: () => err,
  };
}

/** A runtime that answers from a table of states and records every call: what a handler asked of it. */
export function fakeRuntime(states: Record<string, ServiceState['state']>, type: Runtime['type'] = 'docker') {
  const calls: string[] = [];
  const act = (action: ActionResult['action']) => async (services: ServiceSpec[], opts?: object): Promise<ActionResult> => {
    calls.push(`${action} ${services.map((s) => s.name).join(',')}${opts && Object.values(opts).some((v) => v !== undefined) ? ` ${JSON.stringify(opts)}` : ''}`);
    for (const s of services) states[s.name] = action === 'stop' ? 'stopped' : 'running';
    return { runtime: type, action, services: services.map((s) => s.name), commands: [`fake ${action}`] };
  };
  const runtime: Runtime = {
    type,
    describe: () => `fake ${type} runtime`,
    start: act('start'),
    stop: act('stop'),
    reset: act('reset'),
    async status(services) {
      calls.push(`status ${services.map((s) => s.name).join(',')}`);
      return services.map((s) => ({ name: s.name, state: states[s.name] ?? 'missing' }));
    },
  };
  return { runtime, calls, factory: async () => runtime };
}
