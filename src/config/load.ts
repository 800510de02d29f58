// loadConfig / writeConfig: the home's config, validated and typed; written atomically with the
// previous file kept under config/history/. Secrets are registered for masking on load.
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { layout } from '../home.js';
import { writeFileAtomic } from '../fsutil.js';
import { invalidInput } from '../errors.js';
import type { KnownVersion } from '../versions.js';
import { configPath, readStoredConfig } from './store.js';
import { assertValid, versionOfDoc } from './validate.js';
import { registerConfigSecrets, placeholderPaths } from './secrets.js';
import { serializeLike, type TextFormat } from './parse.js';
import type { Generation, ConfigV4, ConfigV5, ConfigV6 } from './schemas/index.js';

export type AnyConfig = ConfigV4 | ConfigV5 | ConfigV6;

export interface LoadedConfig {
  /** the known minor version the file's `version` names ("5.1.2" → "5.1") */
  version: KnownVersion;
  generation: Generation;
  /** validated (unknown fields kept); narrow with `generation` */
  doc: AnyConfig & Record<string, unknown>;
  path: string;
  format: TextFormat;
  /** the file's text as read */
  text: string;
  /** field paths the schema does not know (kept, reported by `mcp config validate`) */
  unknown: string[];
}

/** The home's platform config: exit 3 when there is none, exit 2 with file:line:col or the field path when it is bad. */
export async function loadConfig(home: string): Promise<LoadedConfig> {
  const stored = await readStoredConfig(home);
  registerConfigSecrets(stored.doc);
  const version = versionOfDoc(stored.doc, `${stored.path}: version`);
  const v = assertValid<AnyConfig & Record<string, unknown>>(stored.doc, version, stored.path);
  return { version, generation: v.generation, doc: v.doc!, path: stored.path, format: stored.format, text: stored.text, unknown: v.unknown };
}

export function fileFor(generation: Generation): { name: string; format: TextFormat } {
  return generation === 4 ? { name: 'platform.yaml', format: 'yaml' } : { name: 'platform.json', format: 'json' };
}

export interface WriteResult {
  path: string;
  format: TextFormat;
  version: KnownVersion;
  /** where the previous config was kept, if there was one */
  previous?: string;
  /** the previous file, removed because the generation changed its name (platform.yaml → platform.json) */
  removed?: string;
}

function stamp(d = new Date()): string {
  return d.toISOString().replace(/[:.]/g, '-');
}

/**
 * Validate and write the home's config (YAML for v4, JSON for v5/v6) atomically; the previous file is
 * copied to config/history/<time>-<file> first. Refuses placeholders ("[REDACTED]"): fill them first.
 */
export async function writeConfig(home: string, doc: Record<string, unknown>, opts: { where?: string; source?: string } = {}): Promise<WriteResult> {
  const where = opts.where ?? 'config';
  const version = versionOfDoc(doc, `${where}: version`);
  const v = assertValid(doc, version, where);
  const holes = placeholderPaths(doc);
  if (holes.length) {
    throw invalidInput(`${holes.length} field(s) still hold a [REDACTED] placeholder: ${holes.slice(0, 3).join(', ')}${holes.length > 3 ? ', …' : ''}`, {
      where: `${where}: ${holes[0]}`,
      hint: 'give the secret in the file, or import it into a home whose current config has it (placeholders are filled from the current config)',
    });
  }
  const l = layout(home);
  const { name, format } = fileFor(v.generation);
  const target = join(l.config, name);
  const current = await configPath(home);
  let previous: string | undefined;
  if (current) {
    const hist = join(l.config, 'history');
    await mkdir(hist, { recursive: true });
    previous = join(hist, `${stamp()}-${basename(current.path)}`);
    for (let i = 1; (await readdir(hist)).includes(basename(previous)); i++) previous = join(hist, `${stamp()}-${i}-${basename(current.path)}`);
    await writeFileAtomic(previous, await readFile(current.path), { mode: 0o600 });
  }
  // configs hold secrets: owner-only
  // `source`: the text the document was read from, whose comments and anchors the written file keeps
  await writeFileAtomic(target, serializeLike(doc, format, opts.source, where), { mode: 0o600 });
  let removed: string | undefined;
  if (current && current.path !== target) {
    await rm(current.path, { force: true });
    removed = current.path;
  }
  registerConfigSecrets(doc);
  return { path: target, format, version, previous, removed };
}

/** The kept versions, newest first. */
export async function listHistory(home: string): Promise<string[]> {
  const hist = join(layout(home).config, 'history');
  try {
    return (await readdir(hist)).filter((n) => !n.startsWith('.')).sort().reverse().map((n) => join(hist, n));
  } catch {
    return [];
  }
}
