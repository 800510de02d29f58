// `mcp migration verify --version V` / `mcp-migrate verify --version V`: is this installation a
// healthy V? The config validates against V's schema, every database migration up to V is applied with
// a matching checksum, every record's content equals the snapshot taken before the migration, services are healthy.
// Every check runs; one that cannot (a database that does not open) is reported as failed with the reason.
import { readStoredConfig } from '../config/store.js';
import { parseVersion } from '../versions.js';
import { modules } from './steps/modules.js';
import { describeContent } from '../db/content.js';
import type { Database } from '../db/types.js';

export interface VerifyCheck {
  name: 'config' | 'database' | 'data' | 'services';
  status: 'passed' | 'failed';
  detail: string;
  items?: Array<{ name: string; ok: boolean; detail?: string }>;
}

export interface VerifyReport {
  version: string;
  ok: boolean;
  checks: VerifyCheck[];
}

export async function verifyInstallation(opts: { home: string; env: NodeJS.ProcessEnv; version: string; signal?: AbortSignal; baseline?: string }): Promise<VerifyReport> {
  const want = parseVersion(opts.version, '--version');
  const checks: VerifyCheck[] = [];

  // 1. config
  try {
    const cfg = await readStoredConfig(opts.home);
    const have = parseVersion(cfg.version);
    if (have.major !== want.major || (want.minor !== undefined && have.minor !== want.minor)) {
      checks.push({ name: 'config', status: 'failed', detail: `${cfg.path} is at ${cfg.version}, not ${opts.version}` });
    } else {
      const config = await modules.config();
      const v = config.validateConfig(cfg.doc, cfg.version);
      checks.push(
        v.ok
          ? { name: 'config', status: 'passed', detail: `${cfg.path} is a valid ${cfg.version} config` }
          : { name: 'config', status: 'failed', detail: `${cfg.path}: ${v.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}` },
      );
    }
  } catch (e) {
    checks.push({ name: 'config', status: 'failed', detail: (e as Error).message });
  }

  // 2. database migrations (state and checksum) and 3. data counts against the pre-migration counts
  const db = await modules.db();
  {
    try {
      const conn = await db.openDatabase({ home: opts.home, env: opts.env, command: 'mcp migration verify', signal: opts.signal });
      try {
        const st = await db.migrationStatus(conn);
        const upTo = (v: string) => {
          const [a, b] = v.split('.').map(Number);
          return a! < want.major || (a === want.major && (want.minor === undefined || (b ?? 0) <= want.minor));
        };
        const items = st.migrations
          .filter((m) => upTo(m.version))
          .map((m) => ({ name: m.file, ok: (m.state === 'applied' || m.state === 'baselined') && !m.drifted, detail: `${m.state}${m.drifted ? ', checksum differs from the file' : ''}` }));
        const bad = items.filter((i) => !i.ok);
        // a database ahead of the version (a v6 migration applied under a 5.0 config, after a config-only
        // rollback) is not a healthy 5.0: its services would run against the newer schema
        const ahead = st.migrations.filter((m) => !upTo(m.version) && (m.state === 'applied' || m.state === 'baselined'));
        for (const m of ahead) items.push({ name: m.file, ok: false, detail: `applied beyond ${opts.version}` });
        checks.push({
          name: 'database',
          status: bad.length || ahead.length || !items.length ? 'failed' : 'passed',
          detail: !items.length
            ? `no migrations up to ${opts.version} are known`
            : ahead.length
              ? `the database is ahead of ${opts.version}: ${ahead.map((m) => m.file).join(', ')} applied; roll it back with mcp db rollback --to ${opts.version}${bad.length ? `; and ${bad.length} migration(s) up to ${opts.version} not complete` : ''}`
              : bad.length
                ? `${bad.length} migration(s) not complete: ${bad.map((b) => `${b.name} (${b.detail})`).join(', ')}`
                : `${items.length} migrations up to ${opts.version} applied, checksums match (${st.database})`,
          items,
        });
        checks.push(await dataCheck(conn, db.contentCheck));
      } finally {
        await conn.close();
      }
    } catch (e) {
      checks.push({ name: 'database', status: 'failed', detail: (e as Error).message });
    }
  }

  // 4. services
  const runtime = await modules.runtime();
  {
    try {
      const platform = await runtime.loadPlatform(opts.home);
      const { nullLogger } = await import('../log.js');
      const rt = runtime.runtimeFor(platform, { home: opts.home, env: opts.env, log: nullLogger, signal: opts.signal });
      const states = await rt.status(platform.services);
      // the one rule of src/health/rule.ts: the runtime's state, then each service's health check
      const { platformHealth } = await import('../health/rule.js');
      const judged = await platformHealth(platform, platform.services, { home: opts.home, env: opts.env, signal: opts.signal, states });
      const items = judged.map((h) => ({ name: h.name, ok: h.healthy, detail: h.detail }));
      const bad = items.filter((i) => !i.ok);
      const external = judged.filter((h) => h.external).length;
      const probed = judged.filter((h) => !h.check.skipped && !h.external).length;
      checks.push({
        name: 'services',
        status: bad.length ? 'failed' : 'passed',
        detail: bad.length
          ? `unhealthy: ${bad.map((b) => `${b.name} (${b.detail})`).join(', ')}`
          : rt.type === 'none'
            ? `runtime none: ${probed} of ${states.length} services answered healthy${external ? `, ${external} external and not reachable from here (their health is the operator's to check)` : ''}`
            : `${states.length} services running${probed ? `, ${probed} answered their health check` : ''}`,
        items,
      });
    } catch (e) {
      checks.push({ name: 'services', status: 'failed', detail: (e as Error).message });
    }
  }
  return { version: opts.version, ok: checks.every((c) => c.status === 'passed'), checks };
}

/**
 * Every record against the snapshot the newest database migration (or rollback) took before it changed anything:
 * the v4 record each row stands for, compared by content (digest per record, field by field for the first
 * differences). Row counts per table come from the same pass and are shown beside it.
 */
async function dataCheck(conn: Database, contentCheck: (db: Database) => ReturnType<typeof import('../db/migrate.js').contentCheck>): Promise<VerifyCheck> {
  if (conn.kind === 'mongo') return { name: 'data', status: 'failed', detail: 'record contents are compared on PostgreSQL and the embedded database; compare MongoDB collections with mcp data verify' };
  const r = await contentCheck(conn);
  if (!r) return { name: 'data', status: 'failed', detail: 'no snapshot of the records from before a migration to compare with (mcp db migrate, mcp db rollback and the runs take one before they change the database)' };
  const items = [
    ...r.tables.map((t) => ({ name: t.table, ok: true, detail: `${t.records} records` })),
    ...r.examples.map((e) => ({ name: `${e.table} id ${e.id}`, ok: false, detail: e.change === 'changed' ? `changed: ${e.fields.join(', ')}` : e.change })),
  ];
  return { name: 'data', status: r.ok ? 'passed' : 'failed', detail: describeContent(r), items };
}
