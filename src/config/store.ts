// Reading the platform config of a home: config/platform.yaml (v4) or config/platform.json (v5, v6).
// Schema validation is in validate.ts; loadConfig/writeConfig (load.ts) build on this.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { layout } from '../home.js';
import { exists } from '../fsutil.js';
import { invalidInput, preconditionError } from '../errors.js';
import { parseConfigText } from './parse.js';
import { readInputFile } from '../input.js';

export interface StoredConfig {
  path: string;
  format: 'yaml' | 'json';
  text: string;
  /** the parsed document, not yet validated */
  doc: Record<string, unknown>;
  /** the `version` field as written */
  version: string;
}

/** The home's config file. Both present (an interrupted switch between generations): the newer one. */
export async function configPath(home: string): Promise<{ path: string; format: 'yaml' | 'json' } | undefined> {
  const dir = layout(home).config;
  const json = join(dir, 'platform.json');
  const yaml = join(dir, 'platform.yaml');
  const [hasJson, hasYaml] = await Promise.all([exists(json), exists(yaml)]);
  if (hasJson && hasYaml) {
    const [a, b] = await Promise.all([stat(json), stat(yaml)]);
    return b.mtimeMs > a.mtimeMs ? { path: yaml, format: 'yaml' } : { path: json, format: 'json' };
  }
  if (hasJson) return { path: json, format: 'json' };
  if (hasYaml) return { path: yaml, format: 'yaml' };
  return undefined;
}

export async function readStoredConfig(home: string): Promise<StoredConfig> {
  const found = await configPath(home);
  if (!found) {
    throw preconditionError(`no platform config in ${home}`, { hint: "create one with 'mcp init --version 5.0' or point --home / MCP_HOME at an installation" });
  }
  const text = await readInputFile(found.path);
  const { doc } = parseConfigText(text, found.path);
  const version = String(doc.version ?? '');
  if (!version) throw invalidInput('the config has no version field', { where: `${found.path}: version`, hint: 'add version: "4.2", "5.0" or "6.0"' });
  return { ...found, text, doc, version };
}
