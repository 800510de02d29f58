// The other modules' functions, loaded lazily by the step kinds that call them. A module that is not
// built into this CLI makes those step kinds refuse at plan time, by name ("needs the backup module"):
// a step is never skipped silently and never faked.
export type ModuleName = 'config' | 'db' | 'backup' | 'runtime' | 'k8s';

/** capability → the module it belongs to and [import specifier relative to this file, the exports used] */
const CAPS: Record<string, { module: ModuleName; what: string; entries: Array<{ spec: string; exports: string[] }> }> = {
  config: { module: 'config', what: 'the config module', entries: [{ spec: '../../config/index.js', exports: ['transformConfig', 'validateConfig', 'writeConfig'] }] },
  db: {
    module: 'db',
    what: 'the db module',
    entries: [
      { spec: '../../db/open.js', exports: ['openDatabase', 'targetOf'] },
      { spec: '../../db/layouts.js', exports: ['seedV4Example', 'detectLayout'] },
    ],
  },
  'db.migrate': {
    module: 'db',
    what: "the db module's migration engine",
    entries: [
      { spec: '../../db/open.js', exports: ['openDatabase', 'targetOf'] },
      { spec: '../../db/layouts.js', exports: ['detectLayout'] },
      { spec: '../../db/migrate.js', exports: ['migrateTo', 'rollbackTo', 'migrationStatus', 'contentCheck'] },
    ],
  },
  backup: {
    module: 'backup',
    what: 'the backup module',
    entries: [
      { spec: '../backup-engine.js', exports: ['createBackup', 'verifyBackup'] },
      { spec: '../../backup/store.js', exports: ['latestBackup', 'findBackup'] },
    ],
  },
  runtime: { module: 'runtime', what: 'the runtime module', entries: [{ spec: '../../runtime/index.js', exports: ['runtimeFor', 'loadPlatform', 'selectServices', 'dependencyOrder'] }] },
};
export type Capability = keyof typeof CAPS & string;

const cache = new Map<string, Promise<Record<string, any> | undefined>>();

async function tryLoad(name: string): Promise<Record<string, any> | undefined> {
  const merged: Record<string, any> = {};
  for (const e of CAPS[name]!.entries) {
    let m: Record<string, any>;
    try {
      m = (await import(e.spec)) as Record<string, any>;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ERR_MODULE_NOT_FOUND' || /Cannot find module|Failed to load url|Does the file exist/i.test(String((err as Error).message))) return undefined;
      throw err;
    }
    for (const x of e.exports) if (typeof m[x] !== 'function') return undefined;
    Object.assign(merged, m);
  }
  return merged;
}

export function loadModule(name: string): Promise<Record<string, any> | undefined> {
  let p = cache.get(name);
  if (!p) cache.set(name, (p = tryLoad(name)));
  return p;
}

export async function moduleMissing(name: string): Promise<string | undefined> {
  return (await loadModule(name)) ? undefined : `needs ${CAPS[name]!.what}, which is not built into this CLI yet`;
}

export async function requireModule(name: string): Promise<Record<string, any>> {
  const m = await loadModule(name);
  if (!m) throw new Error(`needs ${CAPS[name]!.what}, which is not built into this CLI yet`);
  return m;
}
