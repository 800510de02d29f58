// The tool list of every MCP server, recorded under <home>/state/services/tools/<name>.json so that a
// later `mcp services verify` can say "filesystem-mcp lost tool read_file".
//
// `last` is what the latest successful MCP check saw. `baseline` is what verification compares with:
// set by the first check of a server, then moved forward by every verification that finds nothing lost
// (or by `mcp services verify --accept`). A migration that drops a tool therefore keeps failing
// verification until someone accepts the loss.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { layout } from '../home.js';
import { writeFileAtomic } from '../fsutil.js';

export interface ToolSnapshot {
  tools: string[];
  recordedAt: string;
  /** platform config version at the time */
  platformVersion?: string;
  server?: { name?: string; version?: string; protocolVersion?: string };
}

export interface ToolRecord {
  service: string;
  baseline?: ToolSnapshot;
  last?: ToolSnapshot;
}

/** v4 snake_case and v5 kebab-case names of the same server share a record. */
export const recordKey = (name: string) => name.toLowerCase().replace(/_/g, '-').replace(/[^a-z0-9.-]/g, '-');

export const toolsDir = (home: string) => join(layout(home).state, 'services', 'tools');
const fileOf = (home: string, name: string) => join(toolsDir(home), `${recordKey(name)}.json`);

export async function readToolRecord(home: string, name: string): Promise<ToolRecord | undefined> {
  try {
    return JSON.parse(await readFile(fileOf(home, name), 'utf8')) as ToolRecord;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // an unreadable record is treated as absent: the next check writes a fresh one
    return undefined;
  }
}

export async function writeToolRecord(home: string, rec: ToolRecord): Promise<void> {
  await writeFileAtomic(fileOf(home, rec.service), JSON.stringify(rec, null, 2) + '\n');
}

/** After a successful MCP check: update `last`, and set the baseline if there is none yet. */
export async function recordTools(home: string, service: string, snap: ToolSnapshot): Promise<ToolRecord> {
  const rec = (await readToolRecord(home, service)) ?? { service };
  rec.service = service;
  rec.last = snap;
  if (!rec.baseline) rec.baseline = snap;
  await writeToolRecord(home, rec);
  return rec;
}

export interface ToolDiff {
  lost: string[];
  added: string[];
}

export function diffTools(baseline: string[], current: string[]): ToolDiff {
  const b = new Set(baseline);
  const c = new Set(current);
  return { lost: baseline.filter((t) => !c.has(t)).sort(), added: current.filter((t) => !b.has(t)).sort() };
}
