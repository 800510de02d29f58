// The other modules' functions, loaded lazily by the step kinds that call them. A module that is not
// built into this CLI makes those step kinds refuse at plan time, by name ("needs the backup module"):
// a step is never skipped silently and never faked.
export type ModuleName = 'config' | 'db' | 'backup' | 'runtime' | 'k8s';

/** module → [import specifier relative to this file, the exports the steps call] */
const ENTRIES: Record<ModuleName, Array<{ spec: string; exports: string[] }>> = {
  config: [{ spec: '../../config/index.js', exports: ['transformConfig', 'validateConfig', 'writeConfig'] }],
  db: [{ spec: '../../db/index.js', exports: ['openDatabase', 'migrateDatabase'] }],
  backup: [{ spec: '../../backup/index.js', exports: ['createBackup', 'verifyBackup'] }],
  runtime: [{ spec: '../../runtime/index.js', exports: ['runtimeFor', 'loadPlatform'] }],
  k8s: [{ spec: '../../k8s/index.js', exports: ['composeToKubernetes'] }],
};

const cache = new Map<ModuleName, Promise<Record<string, any> | undefined>>();

async function tryLoad(name: ModuleName): Promise<Record<string, any> | undefined> {
  const merged: Record<string, any> = {};
  for (const e of ENTRIES[name]) {
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

export function loadModule(name: ModuleName): Promise<Record<string, any> | undefined> {
  let p = cache.get(name);
  if (!p) cache.set(name, (p = tryLoad(name)));
  return p;
}

export async function moduleMissing(name: ModuleName): Promise<string | undefined> {
  return (await loadModule(name)) ? undefined : `needs the ${name} module, which is not built into this CLI yet`;
}

export async function requireModule(name: ModuleName): Promise<Record<string, any>> {
  const m = await loadModule(name);
  if (!m) throw new Error(`needs the ${name} module, which is not built into this CLI yet`);
  return m;
}
