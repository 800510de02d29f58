// The home's version history: which platform version is current, and the config each version ran
// with, so `mcp version restore V` has something to restore. Lives in <home>/state/versions/
// (history.json + <version>/platform.yaml|json); backups include it.
import { readFile, rm, readdir } from 'node:fs/promises';
import { join, basename } from 'node:path';
import { layout } from './home.js';
import { writeFileAtomic, exists } from './fsutil.js';
import { configPath, readStoredConfig } from './config/store.js';
import { preconditionError } from './errors.js';
import { resolveKnown } from './versions.js';

export interface VersionEntry {
  version: string;
  at: string;
  /** the saved config file, relative to state/versions */
  config?: string;
  /** the backup taken before leaving this version, when there was one */
  backupId?: string;
}

export interface VersionHistory {
  current?: string;
  entries: VersionEntry[];
}

export const versionsDir = (home: string) => join(layout(home).state, 'versions');
const historyFile = (home: string) => join(versionsDir(home), 'history.json');

export async function readHistory(home: string): Promise<VersionHistory> {
  try {
    return JSON.parse(await readFile(historyFile(home), 'utf8')) as VersionHistory;
  } catch {
    return { entries: [] };
  }
}

async function writeHistory(home: string, h: VersionHistory): Promise<void> {
  await writeFileAtomic(historyFile(home), JSON.stringify(h, null, 2) + '\n');
}

/**
 * The installed platform version: the config's own `version` (what `mcp config import` or a restore wrote is
 * the truth), else the history's record when the config cannot be read.
 */
export async function currentVersion(home: string): Promise<string | undefined> {
  try {
    return (await readStoredConfig(home)).version;
  } catch {
    return (await readHistory(home)).current ?? undefined;
  }
}

/** Save the home's current config as the config of `version` and make `version` current. */
export async function recordVersion(home: string, version: string, extra: { backupId?: string } = {}): Promise<VersionEntry> {
  const h = await readHistory(home);
  const found = await configPath(home);
  let rel: string | undefined;
  if (found) {
    rel = join(version, basename(found.path));
    await rm(join(versionsDir(home), version), { recursive: true, force: true });
    // a config holds secrets (tokens, legacy API keys): owner-only, like config/ itself
    await writeFileAtomic(join(versionsDir(home), rel), await readFile(found.path), { mode: 0o600 });
  }
  const entry: VersionEntry = { version, at: new Date().toISOString(), config: rel, ...extra };
  h.entries = [...h.entries.filter((e) => e.version !== version), entry];
  h.current = version;
  await writeHistory(home, h);
  return entry;
}

/**
 * A config change outside a run (`mcp config import`, `config optimize --auto`): the config being replaced is
 * kept as its version's config first, and the new one becomes its version's config and current after, so
 * `mcp version restore V` can go back to any version the home has had.
 */
export async function withVersionHistory<T>(home: string, change: () => Promise<T>): Promise<T> {
  const before = await currentVersion(home);
  if (before && (await configPath(home))) await recordVersion(home, before);
  const result = await change();
  const after = await currentVersion(home);
  if (after) await recordVersion(home, after);
  return result;
}

export async function setCurrent(home: string, version: string | undefined): Promise<void> {
  const h = await readHistory(home);
  h.current = version;
  await writeHistory(home, h);
}

/** `mcp version restore V`: put V's saved config back as the home's config and make V current. */
export async function restoreVersion(home: string, raw: string): Promise<{ version: string; config: string; previous?: string }> {
  const h = await readHistory(home);
  const want = resolveKnown(raw, 'version', 'oldest');
  const match = [...h.entries].reverse().find((e) => e.version === raw || e.version === want || e.version.split('.').slice(0, 2).join('.') === want);
  if (!match || !match.config) {
    throw preconditionError(`the version history of ${home} has no saved config for ${raw}`, {
      hint: h.entries.length ? `versions kept: ${h.entries.map((e) => e.version).join(', ')}` : 'versions are recorded by upgrades (mcp upgrade, mcp migration execute)',
    });
  }
  const src = join(versionsDir(home), match.config);
  if (!(await exists(src))) throw preconditionError(`the saved config of ${match.version} is missing (${src})`);
  // before replacing the current config, keep it in the history too (restore is reversible)
  // the version the config says, not the history's record (a config written by hand may have moved it)
  const previous = (await currentVersion(home)) ?? h.current;
  if (previous && previous !== match.version) await recordVersion(home, previous);
  const dir = layout(home).config;
  const target = join(dir, basename(match.config));
  await writeFileAtomic(target, await readFile(src), { mode: 0o600 });
  for (const n of await readdir(dir)) {
    if ((n === 'platform.json' || n === 'platform.yaml') && n !== basename(match.config)) await rm(join(dir, n), { force: true });
  }
  await setCurrent(home, match.version);
  return { version: match.version, config: target, previous };
}
