// A config change that must be taken back when what follows it fails (a deploy whose rollout does not come
// up): the home's config file(s) and its version history as they were, put back byte for byte.
import { readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { layout } from '../home.js';
import { filesUnder, writeFileAtomic } from '../fsutil.js';

const CONFIG_FILES = ['platform.json', 'platform.yaml'];

/** What `undo()` puts back: the config files of config/, its kept copies (config/history/) and state/versions/. */
export async function snapshotConfig(home: string): Promise<{ undo: () => Promise<void> }> {
  const l = layout(home);
  const dirs = [join(l.state, 'versions'), join(l.config, 'history')];
  const kept = new Map<string, Buffer>();
  for (const n of CONFIG_FILES) {
    const p = join(l.config, n);
    const b = await readFile(p).catch(() => undefined);
    if (b) kept.set(p, b);
  }
  for (const d of dirs) for (const p of await filesUnder(d)) kept.set(p, await readFile(p));
  return {
    async undo() {
      // owner-only: configs and the saved versions hold secrets
      for (const [p, b] of kept) await writeFileAtomic(p, b, { mode: 0o600 });
      for (const n of CONFIG_FILES) {
        const p = join(l.config, n);
        if (!kept.has(p)) await rm(p, { force: true });
      }
      for (const d of dirs) {
        for (const p of await filesUnder(d)) if (!kept.has(p) && !relative(d, p).startsWith('..')) await rm(p, { force: true });
      }
    },
  };
}
