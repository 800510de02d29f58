// A restore is a journaled operation, like a run. state/restore-journal.json says which phase it reached:
//   staging    the archive is being verified into a staging directory: nothing live has changed
//   swapping   the staged directories are being renamed in, one by one (each rename is recorded first)
//   database   the directories are in; the database is being restored in one transaction, which also writes
//              the restore's id into mcp_restores — so whether it committed can be asked afterwards
//   finishing  committed: only the previous directories and the staging directory are left to remove
// After a crash or a kill, recoverRestore() (run before the next command that touches the home) puts the
// home back as it was (staging, swapping, database not committed) or finishes the restore (committed,
// finishing), and says which. A restore that fails with nothing changed leaves no journal.
import { hostname } from 'node:os';
import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { layout } from '../home.js';
import { exists, writeFileAtomic } from '../fsutil.js';
import { integrityError } from '../errors.js';
import type { Part } from './manifest.js';

export const RESTORE_JOURNAL = 'restore-journal.json';
export const journalPath = (home: string) => join(layout(home).state, RESTORE_JOURNAL);
/** The table (PostgreSQL, PGlite) or collection (MongoDB) a restore's transaction writes its id into. */
export const RESTORES_TABLE = 'mcp_restores';

export type RestorePhase = 'staging' | 'swapping' | 'database' | 'finishing';

export interface Swap {
  part: string;
  /** the live directory (its real location when it is a link) */
  live: string;
  /** where the live directory is moved aside */
  old: string;
  /** there was a live directory to move aside */
  had: boolean;
  state: 'planned' | 'aside' | 'in';
}

export interface RestoreJournal {
  format: 1;
  /** this restore's id (written into mcp_restores by the database transaction) */
  id: string;
  pid: number;
  host: string;
  command: string;
  startedAt: string;
  backup: string;
  parts: Part[];
  phase: RestorePhase;
  stage: string;
  safetyBackup?: string;
  swaps: Swap[];
  /** the restore includes the database */
  database: boolean;
}

export async function readJournal(home: string): Promise<RestoreJournal | undefined> {
  let text: string;
  try {
    text = await readFile(journalPath(home), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const j = JSON.parse(text) as RestoreJournal;
    if (j.format !== 1 || typeof j.phase !== 'string' || !Array.isArray(j.swaps)) throw new Error('not a restore journal');
    return j;
  } catch (e) {
    throw integrityError(`the restore journal cannot be read (${(e as Error).message})`, {
      where: journalPath(home),
      hint: 'an interrupted restore left it; compare the home with the safety backup (mcp backup list --all) before removing it',
    });
  }
}

export const writeJournal = (home: string, j: RestoreJournal) => writeFileAtomic(journalPath(home), JSON.stringify(j, null, 2) + '\n', { mode: 0o600 });
export const removeJournal = (home: string) => rm(journalPath(home), { force: true });

export function newJournal(home: string, o: { id: string; command: string; backup: string; parts: Part[]; stage: string; database: boolean }): RestoreJournal {
  void home;
  return { format: 1, ...o, pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), phase: 'staging', swaps: [] };
}

/** Put every swapped directory back, newest first (whatever the rename it was at when it stopped). */
export async function rollbackSwaps(j: RestoreJournal): Promise<string[]> {
  const back: string[] = [];
  for (const s of [...j.swaps].reverse()) {
    if (await exists(s.old)) {
      await rm(s.live, { recursive: true, force: true });
      await rename(s.old, s.live);
      back.push(s.part);
    } else if (!s.had && s.state !== 'planned') {
      // nothing was there before: what is there now came from the staging directory
      await rm(s.live, { recursive: true, force: true });
      back.push(s.part);
    } else if (!s.had) {
      await rm(s.live, { recursive: true, force: true });
    }
  }
  return back;
}

/** The committed restore's leftovers: the previous directories and the staging directory. */
export async function removeLeftovers(j: RestoreJournal): Promise<void> {
  for (const s of j.swaps) await rm(s.old, { recursive: true, force: true });
  await rm(j.stage, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
}
