// Exact pre-state for undo: copies of the files and directories a step is about to change, and a
// manifest of which of them existed. The manifest is written last (atomically): without it the step
// had not started changing anything, so there is nothing to restore.
import { cp, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { writeFileAtomic, exists } from '../../fsutil.js';

interface Entry {
  path: string;
  existed: boolean;
  type?: 'file' | 'dir';
  copy?: string;
}

export async function saveState(dir: string, name: string, paths: string[]): Promise<void> {
  const root = join(dir, name);
  if (await exists(join(root, 'manifest.json'))) return; // already saved by an earlier attempt
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  const entries: Entry[] = [];
  for (const [i, p] of paths.entries()) {
    const st = await stat(p).catch(() => undefined);
    if (!st) {
      entries.push({ path: p, existed: false });
      continue;
    }
    const copy = join(root, String(i));
    await cp(p, copy, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
    entries.push({ path: p, existed: true, type: st.isDirectory() ? 'dir' : 'file', copy });
  }
  await writeFileAtomic(join(root, 'manifest.json'), JSON.stringify({ entries }, null, 2));
}

export async function hasState(dir: string, name: string): Promise<boolean> {
  return exists(join(dir, name, 'manifest.json'));
}

/** Put every saved path back as it was (removing those that did not exist). Idempotent. */
export async function restoreState(dir: string, name: string): Promise<boolean> {
  const manifest = join(dir, name, 'manifest.json');
  if (!(await exists(manifest))) return false;
  const { entries } = JSON.parse(await readFile(manifest, 'utf8')) as { entries: Entry[] };
  for (const e of entries) {
    if (!e.existed) {
      await rm(e.path, { recursive: true, force: true });
      continue;
    }
    // copy beside the target, then swap: a crash leaves either the old or the restored content
    // (or, between rm and rename, nothing — which the next restore fixes from the same copy)
    const tmp = join(dirname(e.path), `.${basename(e.path)}.restore.tmp`);
    await rm(tmp, { recursive: true, force: true });
    await mkdir(dirname(e.path), { recursive: true });
    await cp(e.copy!, tmp, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
    if (e.type === 'dir') await rm(e.path, { recursive: true, force: true });
    await rename(tmp, e.path);
  }
  return true;
}

export async function dropState(dir: string, name: string): Promise<void> {
  await rm(join(dir, name), { recursive: true, force: true });
}
