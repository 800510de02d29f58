// MongoDB migration logic that needs no server: the guide's 5.0.0 services transform (and its inverse),
// bounded batching of bulk operations, and the lock document's rules. The guide's sample fills one
// unordered bulk with the whole collection and calls execute() even when it is empty (which throws);
// here the cursor feeds batches of at most `size` operations, an empty batch is never sent, and the last
// _id of each written batch is recorded so a rerun resumes after it.
import type { AnyBulkWriteOperation, Document } from 'mongodb';

export interface ServiceDocV4 {
  _id: unknown;
  orchestrator?: string;
  instances?: number;
  schemaVersion?: string;
  [k: string]: unknown;
}

/** The guide's transform of one services document, or null when it is already at 5.0 (reruns skip it). */
export function servicesToV5(doc: ServiceDocV4 | Document): AnyBulkWriteOperation<Document> | null {
  if (doc.schemaVersion === '5.0') return null;
  return {
    updateOne: {
      filter: { _id: doc._id as any },
      update: {
        $set: { schemaVersion: '5.0', deployment: { type: (doc.orchestrator as string) || 'docker', replicas: (doc.instances as number) || 1 } },
        $unset: { orchestrator: '', instances: '' },
      },
    },
  };
}

/** The inverse, for rollback: deployment.{type, replicas} back to orchestrator/instances. */
export function servicesFromV5(doc: Document): AnyBulkWriteOperation<Document> | null {
  if (doc.schemaVersion !== '5.0') return null;
  const dep = (doc.deployment ?? {}) as { type?: string; replicas?: number };
  return {
    updateOne: {
      filter: { _id: doc._id },
      update: { $set: { orchestrator: dep.type ?? 'docker', instances: dep.replicas ?? 1 }, $unset: { deployment: '', schemaVersion: '' } },
    },
  };
}

/** v6: every service on Kubernetes; the v5 deployment type is kept to undo it. */
export function servicesToV6(doc: Document): AnyBulkWriteOperation<Document> | null {
  if (doc.schemaVersion === '6.0') return null;
  const dep = (doc.deployment ?? {}) as Record<string, unknown>;
  return {
    updateOne: {
      filter: { _id: doc._id },
      update: { $set: { schemaVersion: '6.0', deployment: { ...dep, type: 'kubernetes', previousType: dep.type ?? 'docker', replicas: dep.replicas ?? 1, resources: dep.resources ?? {} } } },
    },
  };
}

export function servicesFromV6(doc: Document): AnyBulkWriteOperation<Document> | null {
  if (doc.schemaVersion !== '6.0') return null;
  const { previousType, resources: _r, ...dep } = (doc.deployment ?? {}) as Record<string, unknown>;
  return { updateOne: { filter: { _id: doc._id }, update: { $set: { schemaVersion: '5.0', deployment: { ...dep, type: previousType ?? 'docker' } } } } };
}

export interface BatchSink<T> {
  /** write one non-empty batch; `last` is the key of the batch's last source document */
  write(ops: T[], last: unknown): Promise<void>;
}

/**
 * Feed documents through `transform` and write the operations in batches of at most `size`, never an
 * empty one. Memory holds one batch. Returns the documents seen and operations written.
 */
export async function runBatched<D extends { _id?: unknown }, T>(
  docs: AsyncIterable<D>,
  transform: (d: D) => T | null,
  size: number,
  sink: BatchSink<T>,
): Promise<{ seen: number; written: number }> {
  if (!Number.isInteger(size) || size <= 0) throw new RangeError('batch size must be a positive integer');
  let ops: T[] = [];
  let last: unknown;
  let seen = 0;
  let written = 0;
  for await (const d of docs) {
    seen++;
    last = d._id;
    const op = transform(d);
    if (op) ops.push(op);
    if (ops.length >= size) {
      await sink.write(ops, last);
      written += ops.length;
      ops = [];
    }
  }
  if (ops.length) {
    await sink.write(ops, last);
    written += ops.length;
  }
  return { seen, written };
}

// ---------------------------------------------------------------------------------------------- lock rules

export const LOCK_ID = 'migrate';
export const LOCK_TTL_MS = 60_000;
export const HEARTBEAT_MS = 15_000;

export interface LockDoc {
  _id: string;
  token: string;
  holder: { pid: number; host: string; command?: string; started: string };
  expiresAt: Date;
}

/** A lock document can be taken when there is none, it expired (its holder stopped heart-beating), or it is ours. */
export function lockIsFree(doc: LockDoc | null | undefined, now: Date, token?: string): boolean {
  return !doc || doc.expiresAt.getTime() < now.getTime() || (token !== undefined && doc.token === token);
}

/** The filter that takes the lock atomically with an upsert: it matches only a free document; a held one makes the upsert collide (E11000). */
export function lockTakeFilter(now: Date, token: string): Document {
  return { _id: LOCK_ID, $or: [{ expiresAt: { $lt: now } }, { token }] };
}

export const nextExpiry = (now: Date, ttl = LOCK_TTL_MS) => new Date(now.getTime() + ttl);
