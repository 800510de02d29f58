// Hand-made archives for the refusal tests: any entry list (traversal, absolute paths, escaping links,
// duplicates), a manifest that may lie, and a matching sidecar so only the check under test can fire.
import { createHash } from 'node:crypto';
import { writeFileSync, readdirSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';

export interface CraftEntry {
  path: string;
  type: 'File' | 'Directory' | 'SymbolicLink' | 'Link';
  body?: string;
  linkpath?: string;
  /** what the manifest claims (default: the truth) */
  manifestSha?: string;
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function block(h: { path: string; type: CraftEntry['type']; size: number; linkpath?: string }): Buffer {
  const header = new Header({ path: h.path, type: h.type, size: h.size, mode: h.type === 'Directory' ? 0o755 : 0o644, mtime: new Date(0), uid: 0, gid: 0, linkpath: h.linkpath });
  header.encode();
  return header.block!;
}

function tarOf(entries: { path: string; type: CraftEntry['type']; body?: Buffer; linkpath?: string }[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = e.body ?? Buffer.alloc(0);
    parts.push(block({ path: e.path, type: e.type, size: e.type === 'File' ? body.length : 0, linkpath: e.linkpath }));
    if (e.type === 'File') {
      parts.push(body);
      if (body.length % 512) parts.push(Buffer.alloc(512 - (body.length % 512)));
    }
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function craftBackup(home: string, id: string, entries: CraftEntry[], opts: { manifestEntries?: unknown[] } = {}): { archive: string } {
  const manifestEntries =
    opts.manifestEntries ??
    entries.map((e) =>
      e.type === 'File'
        ? { path: e.path, type: 'file', size: Buffer.byteLength(e.body ?? ''), sha256: e.manifestSha ?? sha(e.body ?? ''), mode: 0o644 }
        : e.type === 'SymbolicLink'
          ? { path: e.path, type: 'symlink', target: e.linkpath }
          : e.type === 'Directory'
            ? { path: e.path.replace(/\/$/, ''), type: 'dir', mode: 0o755 }
            : { path: e.path, type: 'file', size: 0, sha256: sha(''), mode: 0o644 },
    );
  const createdAt = new Date().toISOString();
  const manifest = {
    format: 'mcp-backup', formatVersion: 1, id, name: id, kind: 'backup', createdAt, cliVersion: 'test', platformVersion: '5.0', environment: 'development',
    scope: 'data', contents: ['data', 'database'], database: null, entries: manifestEntries, skipped: [], totals: { files: 1, bytes: 1 },
  };
  const mtext = Buffer.from(JSON.stringify(manifest));
  const tar = tarOf([...entries.map((e) => ({ ...e, body: e.body !== undefined ? Buffer.from(e.body) : undefined })), { path: 'manifest.json', type: 'File', body: mtext }]);
  const gz = gzipSync(tar);
  const file = `${id}.tar.gz`;
  writeFileSync(join(home, 'backups', file), gz);
  const { entries: _e, ...rest } = manifest;
  writeFileSync(join(home, 'backups', `${id}.manifest.json`), JSON.stringify({ ...rest, entries: manifestEntries, archive: { file, size: gz.length, sha256: sha(gz) }, encryption: null }));
  return { archive: join(home, 'backups', file) };
}

/**
 * Everything under a directory (paths, types, modes, content hashes, link targets), to prove nothing was written.
 * With `modes: false` the modes are left out: a restore gives back the content, owner-only (docs/home.md).
 */
export function treeOf(root: string, skip: (rel: string) => boolean = () => false, opts: { modes?: boolean } = {}): Record<string, string> {
  const m = (mode: number) => (opts.modes === false ? '' : (mode & 0o777).toString(8));
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string) => {
    for (const n of readdirSync(dir).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      if (skip(r)) continue;
      const a = join(dir, n);
      const st = lstatSync(a);
      if (st.isSymbolicLink()) out[r] = `link:${readlinkSync(a)}`;
      else if (st.isDirectory()) {
        out[r] = `dir:${m(st.mode)}`;
        walk(a, r);
      } else out[r] = `file:${m(st.mode)}:${sha(readFileSync(a))}`;
    }
  };
  walk(root, '');
  return out;
}

/**
 * Rewrite a real backup as an attacker (or a failing disk) could: every entry of the archive in memory, `mutate`
 * changes entries and/or the manifest, then the manifest's hashes and sizes are made to match again and the
 * archive and sidecar are rewritten under the same id — so only the check under test can refuse it.
 */
export async function reforgeBackup(home: string, id: string, mutate: (files: Map<string, Buffer>, manifest: any) => void): Promise<void> {
  const { gunzipSync } = await import('node:zlib');
  const { Parser } = await import('tar');
  const sidecarPath = join(home, 'backups', `${id}.manifest.json`);
  const sidecar = JSON.parse(readFileSync(sidecarPath, 'utf8'));
  const tar = gunzipSync(readFileSync(join(home, 'backups', sidecar.archive.file)));
  const files = new Map<string, Buffer>();
  const dirs: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const p = new Parser();
    p.on('entry', (e) => {
      const parts: Buffer[] = [];
      if (e.type === 'Directory') dirs.push(e.path.replace(/\/$/, ''));
      e.on('data', (c: Buffer) => parts.push(c));
      e.on('end', () => e.type === 'File' && files.set(e.path, Buffer.concat(parts)));
    });
    p.on('end', () => resolve());
    p.on('error', reject);
    p.end(tar);
  });
  const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
  files.delete('manifest.json');
  // the copy's own id and name (copyBackup renames only the sidecar)
  Object.assign(manifest, { id: sidecar.id, name: sidecar.name });
  mutate(files, manifest);
  for (const e of manifest.entries) {
    if (e.type !== 'file') continue;
    const body = files.get(e.path);
    if (body) Object.assign(e, { size: body.length, sha256: sha(body) });
  }
  const entries = [
    ...dirs.map((d) => ({ path: `${d}/`, type: 'Directory' as const })),
    ...[...files].map(([path, body]) => ({ path, type: 'File' as const, body })),
    { path: 'manifest.json', type: 'File' as const, body: Buffer.from(JSON.stringify(manifest)) },
  ];
  const gz = gzipSync(tarOf(entries));
  writeFileSync(join(home, 'backups', sidecar.archive.file), gz);
  const { entries: me, ...rest } = manifest;
  writeFileSync(sidecarPath, JSON.stringify({ ...sidecar, ...rest, entries: me, archive: { ...sidecar.archive, size: gz.length, sha256: sha(gz) } }));
}

/** Entries under `root` that anyone but their owner may read, write or enter. */
export function notOwnerOnly(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const n of readdirSync(dir)) {
      const a = join(dir, n);
      const st = lstatSync(a);
      if (st.isSymbolicLink()) continue;
      if (st.mode & 0o077) out.push(`${(st.mode & 0o777).toString(8)} ${a}`);
      if (st.isDirectory()) walk(a);
    }
  };
  walk(root);
  return out;
}
