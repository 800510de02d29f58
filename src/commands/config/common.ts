// Shared by the config commands: reading a config file a user names, the home's config when there is
// one, and rendering transforms' notes for humans.
import { readInputFile } from '../../input.js';
import { resolve } from 'node:path';
import { isMcpError } from '../../errors.js';
import { loadConfig, parseConfigText, registerConfigSecrets, transformConfig, findPath, type LoadedConfig, type TextFormat, type HopNote, type HopReport } from '../../config/index.js';
import type { KnownVersion } from '../../versions.js';

export interface ConfigFile {
  path: string;
  text: string;
  doc: Record<string, unknown>;
  format: TextFormat;
}

export async function readConfigFile(file: string, flag = '--file'): Promise<ConfigFile> {
  const path = resolve(file);
  const text = await readInputFile(path, flag);
  const { doc, format } = parseConfigText(text, file);
  registerConfigSecrets(doc);
  return { path, text, doc, format };
}

/** The home's config, or undefined when the home has none (other errors propagate). */
export async function homeConfigIfAny(home: string): Promise<LoadedConfig | undefined> {
  try {
    return await loadConfig(home);
  } catch (e) {
    if (isMcpError(e) && e.kind === 'precondition') return undefined;
    throw e;
  }
}

/** The home's config at `version` (transformed along the path), to fill placeholders from; undefined if impossible. */
export function homeConfigAt(current: LoadedConfig | undefined, version: KnownVersion): Record<string, unknown> | undefined {
  if (!current) return undefined;
  if (current.version === version) return current.doc;
  if (!findPath(current.version, version)) return undefined;
  try {
    return transformConfig(current.doc, current.version, version).config;
  } catch {
    return undefined;
  }
}

export function notesText(notes: HopNote[], manual: string[], reported: HopReport[]): string[] {
  const out: string[] = [];
  let hop = '';
  for (const n of notes) {
    if (n.hop !== hop) {
      hop = n.hop;
      out.push('', `Breaking changes ${hop.replace('→', ' → ')}:`);
    }
    out.push(`  ${n.component.padEnd(16)} ${n.from} → ${n.to}  (${n.action})`);
  }
  if (manual.length) out.push('', 'Manual actions:', ...manual.map((m) => `  - ${m}`));
  const carried = reported.filter((r) => r.disposition === 'carried');
  if (carried.length) out.push('', `Unknown fields carried as they are (${carried.length}):`, ...carried.slice(0, 10).map((r) => `  - ${r.path} (${r.hop})`), ...(carried.length > 10 ? [`  … and ${carried.length - 10} more (--json lists all)`] : []));
  const other = reported.filter((r) => r.disposition !== 'carried');
  if (other.length) out.push('', `Fields moved or changed (${other.length}):`, ...other.slice(0, 10).map((r) => `  - ${r.path} — ${r.disposition}${r.to ? ` to ${r.to}` : ''} (${r.reason})`), ...(other.length > 10 ? [`  … and ${other.length - 10} more (--json lists all)`] : []));
  return out;
}
