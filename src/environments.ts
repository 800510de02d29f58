// An environment is an installation: a home of its own (config, database, data, secrets, backups, runtime).
// A home keeps a registry of the other environments it deploys to or copies data into
// (state/environments.json: name → home), written by `mcp environments add`. Wherever a command takes
// `--env NAME` and NAME is not this home's own environment, it acts on that environment's home.
import { join, resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import { layout } from './home.js';
import { exists, writeFileAtomic } from './fsutil.js';
import { invalidInput, preconditionError, usageError } from './errors.js';
import { readStoredConfig } from './config/store.js';
import { ENVIRONMENTS } from './config/environment-names.js';

export interface EnvironmentEntry {
  name: string;
  home: string;
  addedAt: string;
}

interface Registry {
  version: 1;
  environments: Record<string, { home: string; addedAt: string }>;
}

export const registryFile = (home: string) => join(layout(home).state, 'environments.json');

export function assertEnvironmentName(name: string, where = 'NAME'): void {
  if (!(ENVIRONMENTS as readonly string[]).includes(name)) {
    throw invalidInput(`'${name}' is not an environment`, { where, hint: `use one of ${ENVIRONMENTS.join(', ')}` });
  }
}

async function readRegistry(home: string): Promise<Registry> {
  const file = registryFile(home);
  if (!(await exists(file))) return { version: 1, environments: {} };
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw invalidInput(`the environment registry is not JSON: ${(e as Error).message}`, { where: file, hint: 'fix or remove the file, then add the environments again (mcp environments add NAME --home DIR)' });
  }
  const envs = (doc as Registry | null)?.environments;
  if (!envs || typeof envs !== 'object') throw invalidInput('the environment registry has no environments map', { where: `${file}: environments` });
  return { version: 1, environments: envs };
}

const writeRegistry = (home: string, r: Registry) => writeFileAtomic(registryFile(home), JSON.stringify(r, null, 2) + '\n', { mode: 0o600 });

/** The environment a home's config says it is (development when it says nothing). */
export async function ownEnvironment(home: string): Promise<string> {
  const c = await readStoredConfig(home);
  const env = (c.doc as { environment?: unknown }).environment;
  return typeof env === 'string' && env !== '' ? env : 'development';
}

export async function listEnvironments(home: string): Promise<{ own: string | null; environments: EnvironmentEntry[] }> {
  const own = await ownEnvironment(home).catch(() => null);
  const r = await readRegistry(home);
  return { own, environments: Object.entries(r.environments).map(([name, e]) => ({ name, home: e.home, addedAt: e.addedAt })) };
}

export async function addEnvironment(home: string, name: string, dir: string): Promise<{ entry: EnvironmentEntry; replaced: string | null }> {
  assertEnvironmentName(name);
  const target = resolve(dir);
  if (target === resolve(home)) throw usageError(`--home ${dir} is this home: an environment is another installation`, { hint: 'pass the home of the other environment' });
  const own = await ownEnvironment(home).catch(() => undefined);
  if (own === name) throw usageError(`'${name}' is this home's own environment`, { where: 'NAME', hint: 'register the other environments: mcp environments add staging --home /srv/mcp-staging' });
  // the other home must be an installation of that environment (mcp init --env NAME creates one)
  const theirs = await ownEnvironment(target).catch((e) => {
    throw preconditionError(`${target} is not a platform home: ${(e as Error).message}`, { where: '--home', hint: `create it first: mcp --home ${target} init --env ${name} --version 4.2` });
  });
  if (theirs !== name) throw invalidInput(`${target} is the ${theirs} environment, not ${name}`, { where: `${target}: environment`, hint: `mcp environments add ${theirs} --home ${target}` });
  const r = await readRegistry(home);
  const replaced = r.environments[name]?.home ?? null;
  const entry = { name, home: target, addedAt: new Date().toISOString() };
  r.environments[name] = { home: target, addedAt: entry.addedAt };
  await writeRegistry(home, r);
  return { entry, replaced };
}

/** Forgets a registered environment (its home stays as it is); with dryRun only says which. */
export async function removeEnvironment(home: string, name: string, opts: { dryRun?: boolean } = {}): Promise<EnvironmentEntry> {
  const r = await readRegistry(home);
  const e = r.environments[name];
  if (!e) throw preconditionError(`no environment '${name}' is registered in ${home}`, { hint: 'mcp environments list' });
  if (!opts.dryRun) {
    delete r.environments[name];
    await writeRegistry(home, r);
  }
  return { name, ...e };
}

export interface EnvironmentTarget {
  name: string;
  home: string;
  /** the home the command runs in is this environment */
  own: boolean;
}

/**
 * The home `--env NAME` means, seen from `home`: this home when NAME is its own environment, else the
 * registered one. An unknown environment is a usage error naming `mcp environments add`.
 */
export async function resolveEnvironment(home: string, name: string, flag = '--env'): Promise<EnvironmentTarget> {
  assertEnvironmentName(name, flag);
  const own = await ownEnvironment(home).catch(() => undefined);
  if (own === name) return { name, home, own: true };
  const e = (await readRegistry(home)).environments[name];
  // a home whose config cannot be read is still not a registered other environment
  if (own === undefined && !e) return { name, home, own: true };
  if (!e) {
    throw usageError(`${flag} ${name}: this home is the ${own ?? 'development'} environment and no ${name} environment is registered`, {
      hint: `register its home first: mcp environments add ${name} --home DIR (mcp init --env ${name} creates one)`,
    });
  }
  if (!(await exists(e.home))) throw preconditionError(`the ${name} environment's home ${e.home} does not exist`, { where: registryFile(home), hint: `mcp environments add ${name} --home DIR` });
  return { name, home: e.home, own: false };
}

/** Like resolveEnvironment, but an unregistered name is no error: undefined (the caller keeps its own meaning). */
export async function registeredEnvironment(home: string, name: string): Promise<EnvironmentTarget | undefined> {
  const own = await ownEnvironment(home).catch(() => undefined);
  if (own === name) return undefined;
  // a broken registry is an error, never "this home"
  const e = (await readRegistry(home)).environments[name];
  return e ? { name, home: e.home, own: false } : undefined;
}

/**
 * The homes of the environments a plan's steps name: this home for its own environment, the registered home
 * for another; a name neither is left out (the plan check then refuses its steps, naming `environments add`).
 */
export async function environmentHomes(home: string, names: Iterable<string>): Promise<Record<string, string>> {
  const own = await ownEnvironment(home).catch(() => undefined);
  const reg = await readRegistry(home);
  const out: Record<string, string> = {};
  for (const n of new Set(names)) {
    if (n === own) out[n] = home;
    else if (reg.environments[n]) {
      if (!(await exists(reg.environments[n].home))) throw preconditionError(`the ${n} environment's home ${reg.environments[n].home} does not exist`, { where: registryFile(home), hint: `mcp environments add ${n} --home DIR` });
      out[n] = reg.environments[n].home;
    }
  }
  return out;
}
