// MongoDB: one canonical EJSON document per line, per collection, read in one snapshot session when the
// server supports it; restore replaces every dumped collection inside one transaction (replica sets),
// with the indexes recreated first.
import type { MongoDatabase } from '../db/types.js';
import { failedError, integrityError } from '../errors.js';
import type { DatabaseDump, TableDump } from './manifest.js';
import type { ChunkSink, ChunkSource } from './sql-dump.js';

interface MongoSchemaDoc {
  collections: { name: string; indexes: Record<string, unknown>[] }[];
}

export async function dumpMongo(m: MongoDatabase, sink: ChunkSink, opts: { chunkBytes?: number; onTable?: (n: string, rows: number) => void } = {}): Promise<DatabaseDump> {
  const { EJSON } = (await import('mongodb')).BSON;
  const chunkBytes = opts.chunkBytes ?? 8 * 1024 * 1024;
  const warnings: string[] = [];
  const client = (m.db as unknown as { client: import('mongodb').MongoClient }).client;
  let session: import('mongodb').ClientSession | undefined;
  let snapshot = 'snapshot session';
  try {
    session = client.startSession({ snapshot: true });
    await m.db.command({ ping: 1 }, { session });
  } catch {
    await session?.endSession().catch(() => undefined);
    session = undefined;
    snapshot = 'none (standalone server: collections read one after another)';
    warnings.push('the server does not support snapshot sessions; stop writers during the backup for a consistent copy');
  }
  try {
    const cols = (await m.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !n.startsWith('system.')).sort();
    const doc: MongoSchemaDoc = { collections: [] };
    const tables: TableDump[] = [];
    let ci = 0;
    for (const name of cols) {
      ci++;
      const indexes = (await m.db.collection(name).listIndexes().toArray()).filter((ix) => ix.name !== '_id_');
      doc.collections.push({ name, indexes });
      const td: TableDump = { name, rows: 0, chunks: [] };
      let lines: string[] = [];
      let bytes = 0;
      const flush = async () => {
        if (!lines.length) return;
        const path = `db/t${String(ci).padStart(4, '0')}/c${String(td.chunks.length + 1).padStart(6, '0')}.ejson`;
        await sink.addBuffer(path, Buffer.from(lines.join('')));
        td.chunks.push(path);
        lines = [];
        bytes = 0;
      };
      for await (const d of m.db.collection(name).find({}, { session, sort: { _id: 1 } })) {
        const line = EJSON.stringify(d, { relaxed: false }) + '\n';
        lines.push(line);
        bytes += line.length;
        td.rows++;
        if (bytes >= chunkBytes) await flush();
      }
      await flush();
      tables.push(td);
      opts.onTable?.(name, td.rows);
    }
    await sink.addBuffer('db/schema.json', Buffer.from(JSON.stringify(doc, null, 2) + '\n'));
    return { kind: 'mongo', format: 'mongo-ejson/1', snapshot, schemaEntry: 'db/schema.json', tables, warnings };
  } finally {
    await session?.endSession().catch(() => undefined);
  }
}

export async function restoreMongo(
  m: MongoDatabase,
  dump: DatabaseDump,
  src: ChunkSource,
  opts: { batch?: number; onTable?: (n: string, rows: number) => void; marker?: { id: string; backup: string } } = {},
): Promise<Record<string, number>> {
  if (dump.format !== 'mongo-ejson/1' || !dump.schemaEntry) throw integrityError(`cannot restore a ${dump.format} dump into MongoDB`);
  const { EJSON } = (await import('mongodb')).BSON;
  const doc = JSON.parse((await src.read(dump.schemaEntry)).toString('utf8')) as MongoSchemaDoc;
  const batch = opts.batch ?? 1000;
  const existing = new Set((await m.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const c of doc.collections) if (!existing.has(c.name)) await m.db.createCollection(c.name);
  // the restore's id goes in with the documents, in the same transaction (after a crash it says whether it committed)
  if (opts.marker && !existing.has('_mcp_restores')) await m.db.createCollection('_mcp_restores');
  const client = (m.db as unknown as { client: import('mongodb').MongoClient }).client;
  const session = client.startSession();
  const counts: Record<string, number> = {};
  try {
    await session.withTransaction(async () => {
      for (const td of dump.tables) {
        const col = m.db.collection(td.name);
        await col.deleteMany({}, { session });
        let n = 0;
        for (const chunk of td.chunks) {
          const lines = (await src.read(chunk)).toString('utf8').split('\n').filter((l) => l !== '');
          for (let i = 0; i < lines.length; i += batch) {
            const docs = lines.slice(i, i + batch).map((l) => EJSON.parse(l, { relaxed: false }) as import('mongodb').Document);
            await col.insertMany(docs, { session, ordered: true });
            n += docs.length;
          }
        }
        if (n !== td.rows) throw integrityError(`${td.name}: ${n} documents in the chunks, the manifest says ${td.rows}`);
        counts[td.name] = n;
        opts.onTable?.(td.name, n);
      }
      if (opts.marker) {
        await m.db.collection<{ _id: string; backup: string; restoredAt: Date }>('_mcp_restores').updateOne(
          { _id: opts.marker.id },
          { $set: { backup: opts.marker.backup, restoredAt: new Date() } },
          { upsert: true, session },
        );
      }
    });
  } catch (e) {
    if (/Transaction numbers are only allowed|replica set/i.test((e as Error).message)) {
      throw failedError('MongoDB restores run in one transaction, which needs a replica set; this server is standalone', { hint: 'run MongoDB as a (single-node) replica set, then restore again; nothing was changed' });
    }
    throw e;
  } finally {
    await session.endSession();
  }
  for (const c of doc.collections) {
    for (const ix of c.indexes) {
      const { key, name, v: _v, ns: _ns, ...rest } = ix as { key: Record<string, 1 | -1>; name: string; v?: unknown; ns?: unknown };
      await m.db.collection(c.name).createIndex(key, { ...rest, name }).catch(() => undefined);
    }
  }
  return counts;
}
