// Reading the platform config of a home: config/platform.yaml (v4) or config/platform.json (v5, v6).
// Schema validation and transforms live beside this (src/config/schemas, src/config/transformers).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { layout } from '../home.js';
import { exists } from '../fsutil.js';
import { invalidInput, preconditionError } from '../cli/errors.js';

export interface StoredConfig {
  path: string;
  format: 'yaml' | 'json';
  text: string;
  /** the parsed document, not yet validated */
  doc: Record<string, unknown>;
  /** the `version` field as written */
  version: string;
}

export async function configPath(home: string): Promise<{ path: string; format: 'yaml' | 'json' } | undefined> {
  const dir = layout(home).config;
  if (await exists(join(dir, 'platform.json'))) return { path: join(dir, 'platform.json'), format: 'json' };
  if (await exists(join(dir, 'platform.yaml'))) return { path: join(dir, 'platform.yaml'), format: 'yaml' };
  return undefined;
}

export async function readStoredConfig(home: string): Promise<StoredConfig> {
  const found = await configPath(home);
  if (!found) {
    throw preconditionError(`no platform config in ${home}`, { hint: "create one with 'mcp init --version 5.0' or point --home / MCP_HOME at an installation" });
  }
  const text = await readFile(found.path, 'utf8');
  let doc: unknown;
  try {
    doc = found.format === 'json' ? JSON.parse(text) : (await import('js-yaml')).default.load(text, { filename: found.path });
  } catch (e) {
    throw invalidInput(`cannot parse: ${(e as Error).message.split('\n')[0]}`, { where: found.path, hint: 'fix the file, or restore it with mcp config restore --backup-id ID' });
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalidInput('the config is not a mapping', { where: found.path });
  const version = String((doc as Record<string, unknown>).version ?? '');
  if (!version) throw invalidInput('the config has no version field', { where: `${found.path}: version` });
  return { ...found, text, doc: doc as Record<string, unknown>, version };
}
