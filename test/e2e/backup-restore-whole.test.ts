// Restores always end whole (issue: restores that failed left a journal that blocked every later restore, and a
// killed restore left a mixed home). Through the built binary: archives damaged where only restore used to look
// are refused by `backup verify` (exit 5) and by restore, with nothing left behind and a good restore working
// right after; damaged, truncated and extended archives are exit 5, a missing one exit 3; an interrupted restore
// is settled by the next command; one that cannot be settled stops changes (exit 4) until --resume.
import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, truncateSync, appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mcp, tempDir } from '../helpers/cli.js';
import { reforgeBackup, treeOf } from '../helpers/backup-craft.js';
// @ts-expect-error plain JS helper shared with test/kill-restore.mjs
import { restoreTemplate, restoreTrial } from '../helpers/kill-restore.mjs';

const noLogs = (rel: string) => rel === 'logs' || rel.startsWith('logs/');

/** An example home with a full backup `good` (its id returned) and copies of it named as the tests need. */
async function homeWithBackup(): Promise<{ home: string; id: string }> {
  const home = tempDir();
  expect((await mcp(['init', '--example'], { home })).exitCode).toBe(0);
  const r = await mcp(['backup', 'create', '--full', '--name', 'good', '--json'], { home });
  expect(r.exitCode, r.stderr).toBe(0);
  return { home, id: r.json().backup.id };
}

/** A copy of backup `id` under a new id (archive and sidecar), to damage without losing the good one. */
function copyBackup(home: string, id: string, to: string): string {
  const b = join(home, 'backups');
  const sc = JSON.parse(readFileSync(join(b, `${id}.manifest.json`), 'utf8'));
  const file = sc.archive.file.replace(id, to);
  cpSync(join(b, sc.archive.file), join(b, file));
  writeFileSync(join(b, `${to}.manifest.json`), JSON.stringify({ ...sc, id: to, name: to, archive: { ...sc.archive, file } }));
  return to;
}

describe('backup verify proves what restore checks; a failed restore leaves nothing', { timeout: 240_000 }, () => {
  let home: string;
  let good: string;
  beforeAll(async () => {
    ({ home, id: good } = await homeWithBackup());
  });

  const damaged: Array<[string, (files: Map<string, Buffer>, manifest: any) => void, RegExp]> = [
    [
      'a chunk holding fewer rows than the manifest says',
      (files, m) => {
        const t = m.database.tables.find((x: any) => x.name === 'public.platform_data');
        const c = t.chunks[0];
        const lines = files.get(c)!.toString('utf8').split('\n');
        files.set(c, Buffer.from(lines.slice(0, 100).join('\n') + '\n'));
      },
      /public\.platform_data: 100 rows in its chunks, the manifest says 200/,
    ],
    [
      'a malformed row',
      (files, m) => {
        const c = m.database.tables.find((x: any) => x.name === 'public.platform_data').chunks[0];
        const lines = files.get(c)!.toString('utf8').split('\n');
        lines[41] = `${lines[41]}\textra field`;
        files.set(c, Buffer.from(lines.join('\n')));
      },
      /public\.platform_data has 6 columns, rows of this chunk have 6 to 7 fields/,
    ],
    [
      'a table name with a quote that the schema does not hold',
      (_files, m) => {
        m.database.tables.find((x: any) => x.name === 'public.platform_data').name = 'public.platform"_data';
      },
      /the manifest names table "public\.platform\\"_data", which db\/schema\.json does not hold/,
    ],
    [
      'a column type that carries a second statement',
      (files) => {
        const doc = JSON.parse(files.get('db/schema.json')!.toString('utf8'));
        doc.tables[0].columns[1].type = 'text); DROP TABLE platform_data; --';
        files.set('db/schema.json', Buffer.from(JSON.stringify(doc)));
      },
      /column type 'text\); DROP TABLE platform_data; --' is not a type name/,
    ],
  ];

  for (const [what, mutate, message] of damaged) {
    it(`${what}: backup verify and restore exit 5, nothing changes, no journal; a good restore works right after`, async () => {
      const id = copyBackup(home, good, `bk-bad-${Math.random().toString(36).slice(2, 8)}`);
      await reforgeBackup(home, id, mutate);
      const v = await mcp(['backup', 'verify', '--id', id], { home });
      expect(v.exitCode, v.stderr).toBe(5);
      expect(v.stderr).toMatch(message);
      const before = treeOf(home, (r) => noLogs(r) || r.startsWith('backups'));
      const r = await mcp(['backup', 'restore', '--id', id], { home });
      expect(r.exitCode, r.stderr).toBe(5);
      expect(r.stderr).toMatch(message);
      expect(treeOf(home, (x) => noLogs(x) || x.startsWith('backups'))).toEqual(before);
      expect(existsSync(join(home, 'state/restore-journal.json'))).toBe(false);
      expect(readdirSync(home).filter((n) => n.startsWith('.mcp-restore-'))).toEqual([]);
      const ok = await mcp(['backup', 'restore', '--id', good], { home });
      expect(ok.exitCode, ok.stderr).toBe(0);
    });
  }

  it('damaged, truncated or extended archives and unreadable sidecars are exit 5; a missing archive is exit 3', async () => {
    const b = join(home, 'backups');
    const file = (id: string) => join(b, JSON.parse(readFileSync(join(b, `${id}.manifest.json`), 'utf8')).archive.file);
    const cut = copyBackup(home, good, 'bk-cut');
    truncateSync(file(cut), 1000);
    const grown = copyBackup(home, good, 'bk-grown');
    appendFileSync(file(grown), Buffer.alloc(512));
    const sidecar = copyBackup(home, good, 'bk-sidecar');
    writeFileSync(join(b, `${sidecar}.manifest.json`), '{"id": "bk-sidecar", "archive": ');
    const gone = copyBackup(home, good, 'bk-gone');
    rmSync(file(gone));
    for (const [id, code, msg] of [
      [cut, 5, /truncated/],
      [grown, 5, /extended/],
      [sidecar, 5, /unreadable manifest/],
      [gone, 3, /archive missing/],
    ] as const) {
      for (const cmd of [['backup', 'verify', '--id', id], ['backup', 'restore', '--id', id]]) {
        const r = await mcp(cmd, { home });
        expect(r.exitCode, `${cmd.join(' ')}: ${r.stderr}`).toBe(code);
        expect(r.stderr).toMatch(msg);
      }
    }
    const all = await mcp(['backup', 'list', '--all', '--json'], { home });
    expect(all.json().incomplete.map((x: any) => `${x.id} ${x.kind}`).sort()).toEqual(['bk-cut damaged', 'bk-gone missing', 'bk-grown damaged', 'bk-sidecar damaged']);
  });
});

describe('an interrupted restore is settled by the next command', { timeout: 600_000 }, () => {
  it('leftovers of dead processes (partial archives, staging directories) are removed by the next command', async () => {
    const { home } = await homeWithBackup();
    // a dead writer's pid: the first pid above the current ones that does not exist
    let dead = 4_000_000;
    while (existsSync(`/proc/${dead}`)) dead++;
    writeFileSync(join(home, 'backups', `.bk-20260101-000000-abcdef.${dead}.partial`), 'half an archive');
    cpSync(join(home, 'config'), join(home, `.mcp-restore-${dead}-0a1b2c3d`), { recursive: true });
    writeFileSync(join(home, 'state', `.last-restore.json.${dead}.0a1b2c3d.tmp`), '{');
    // and one of a live process is kept, and listed
    writeFileSync(join(home, 'backups', `.bk-20260101-000001-abcdef.${process.pid}.partial`), 'being written');
    const r = await mcp(['backup', 'list', '--all', '--json'], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`removed partial archive .*\\.${dead}\\.partial \\(its process ${dead} is gone\\)`));
    expect(r.stderr).toMatch(/removed restore staging .*\.mcp-restore-/);
    expect(readdirSync(home).filter((n) => n.startsWith('.mcp-restore-'))).toEqual([]);
    expect(readdirSync(join(home, 'backups')).filter((n) => n.endsWith('.partial'))).toEqual([`.bk-20260101-000001-abcdef.${process.pid}.partial`]);
    expect(r.json().inProgress).toEqual([expect.objectContaining({ kind: 'partial archive', pid: process.pid })]);
  });

  it('a restore whose database cannot be reached to settle it: changes refuse with exit 4 naming --resume, reads go on', async () => {
    const { home, id } = await homeWithBackup();
    // a journal as a restore killed while restoring a PostgreSQL database leaves it, the server gone since
    const stage = join(home, `.mcp-restore-4000001-deadbeef`);
    cpSync(join(home, 'config'), join(stage, 'config'), { recursive: true });
    writeFileSync(
      join(home, 'state/restore-journal.json'),
      JSON.stringify({ format: 1, id: 'rs-test', pid: 4000001, host: (await import('node:os')).hostname(), command: 'mcp backup restore', startedAt: new Date().toISOString(), backup: id, parts: ['config', 'database'], phase: 'database', stage, swaps: [], database: true }),
    );
    const env = { MCP_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' };
    const up = await mcp(['upgrade', '--to', '5.0'], { home, env });
    expect(up.exitCode).toBe(4);
    expect(up.stderr).toMatch(/a restore of backup .* stopped while restoring the database, and the database cannot be reached/);
    expect(up.stderr).toMatch(/mcp backup restore --resume/);
    const list = await mcp(['backup', 'list'], { home, env });
    expect(list.exitCode).toBe(0);
    expect(list.stderr).toMatch(/mcp backup restore --resume when it is reachable/);
    // reachable again (the embedded database, where the transaction never committed): --resume puts the home back
    const res = await mcp(['backup', 'restore', '--resume', '--json'], { home });
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.json()).toMatchObject({ resumed: true });
    expect(res.json().detail).toMatch(/undid an interrupted restore/);
    expect(existsSync(join(home, 'state/restore-journal.json'))).toBe(false);
    expect(existsSync(stage)).toBe(false);
    expect((await mcp(['backup', 'restore', '--resume'], { home })).stdout).toMatch(/No interrupted restore/);
  });

  it('kill -9 at random points of a 4.2 restore into a 6.0 home: 30 of 30 end wholly 4.2 or wholly 6.0', async () => {
    const template = await restoreTemplate();
    try {
      const outcomes: string[] = [];
      // three at a time: the trials are independent homes
      for (let i = 0; i < 30; i += 3) {
        const batch = await Promise.all([0, 1, 2].map((k) => restoreTrial({ template, killAfterMs: Math.floor(((i + k + Math.random()) / 30) * template.span), again: (i + k) % 5 === 0 })));
        outcomes.push(...batch.map((r: { outcome: string }) => r.outcome));
      }
      expect(outcomes).toHaveLength(30);
      // the kill points cover the restore: some before its database committed, some after
      expect(outcomes.some((o) => o.startsWith('6.0'))).toBe(true);
    } finally {
      rmSync(template.dir, { recursive: true, force: true });
    }
  });
});
