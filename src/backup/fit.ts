// Does a backup's database fit this installation, restored without its config? (restoreBackup asks first; the
// restore command asks before it copies a backup into another home.)
import { preconditionError } from '../errors.js';
import { readStoredConfig } from '../config/store.js';
import { sameRelease } from '../versions.js';
import type { Part } from './manifest.js';
import type { StoredBackup } from './store.js';

/**
 * A database restored without its config must fit the installation's: the same release (a 5.0 schema under a
 * 6.0 config is an installation that never existed), and for a v4 installation the one table its config reads
 * (database.table) must be in the dump, or its rows would land where the platform never reads them.
 */
export async function refuseMisfit(home: string, b: StoredBackup, parts: Part[]): Promise<void> {
  const sc = b.sidecar;
  if (!parts.includes('database') || parts.includes('config') || !sc.database || !sc.platformVersion) return;
  const stored = await readStoredConfig(home).catch(() => undefined);
  const installed = stored?.version;
  if (installed && !sameRelease(installed, sc.platformVersion)) {
    throw preconditionError(`backup ${sc.id} holds a ${sc.platformVersion} database; this installation is at ${installed}: restoring only its data would put a ${sc.platformVersion} database under the ${installed} config`, {
      hint: `restore everything it holds (mcp backup restore --id ${sc.id}), or roll back to ${sc.platformVersion} first (mcp-migrate rollback --to ${sc.platformVersion}); --any-version restores the data anyway`,
    });
  }
  if (stored && /^4\./.test(stored.version) && sc.database.kind !== 'mongo' && sc.database.tables.length) {
    const { legacyTableOf } = await import('../db/layouts.js');
    const t = legacyTableOf(stored.doc);
    const names = sc.database.tables.map((x) => x.name);
    const want = [t.schema ? `${t.schema}.${t.name}` : `public.${t.name}`, t.name];
    if (!names.some((n) => want.includes(n))) {
      throw preconditionError(`backup ${sc.id} holds no table ${t.raw}, the one this installation's config reads (database.table); it holds ${names.join(', ')}: its rows would be restored where the platform does not read them`, {
        where: `${stored.path}: database.table`,
        hint: `set database.table to the backup's table in ${stored.path} first (or restore with the config: mcp backup restore --id ${sc.id}); --any-version restores the data anyway`,
      });
    }
  }
}

