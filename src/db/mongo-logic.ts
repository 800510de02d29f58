// MongoDB migration logic that needs no server: the guide's 5.0.0 services transform (and its exact inverse),
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

/**
 * What a transform replaced, kept in the document (`_mcpPrior.v5`, `_mcpPrior.v6`) so its down gives back the
 * document exactly: the previous values of the fields it set or removed, and which of them were absent.
 */
export interface Prior {
  present: Record<string, unknown>;
  absent: string[];
}
export const PRIOR = '_mcpPrior';

function priorOf(doc: Document, fields: string[]): Prior {
  const present: Record<string, unknown> = {};
  const absent: string[] = [];
  for (const f of fields) {
    if (Object.prototype.hasOwnProperty.call(doc, f)) present[f] = doc[f];
    else absent.push(f);
  }
  return { present, absent };
}

/** Deep equality of plain JSON-like values (BSON ids compared by their string form). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => sameValue(x, (b as unknown[])[i]));
  const proto = Object.getPrototypeOf(a);
  if (proto !== Object.prototype && proto !== null) return String(a) === String(b);
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The update that puts a prior back: its values set, its absent fields removed, the prior itself dropped. */
function restore(doc: Document, tag: 'v5' | 'v6', prior: Prior, touched: string[]): AnyBulkWriteOperation<Document> {
  const $set: Document = { ...prior.present };
  const $unset: Document = {};
  for (const f of touched) if (!(f in prior.present)) $unset[f] = '';
  const others = Object.keys((doc[PRIOR] ?? {}) as object).filter((k) => k !== tag);
  $unset[others.length ? `${PRIOR}.${tag}` : PRIOR] = '';
  return { updateOne: { filter: { _id: doc._id }, update: Object.keys($set).length ? { $set, $unset } : { $unset } } };
}

const priorIn = (doc: Document, tag: 'v5' | 'v6'): Prior | undefined => {
  const p = (doc[PRIOR] as Record<string, Prior> | undefined)?.[tag];
  return p && typeof p === 'object' && p.present && Array.isArray(p.absent) ? p : undefined;
};

const V5_TOUCHED = ['orchestrator', 'instances', 'deployment', 'schemaVersion'];
const v5Deployment = (d: Document) => ({ type: (d.orchestrator as string) || 'docker', replicas: (d.instances as number) || 1 });

/**
 * The guide's transform of one services document, or null when it is already at 5.0 (reruns skip it). The
 * fields it replaces are kept under _mcpPrior.v5, so nothing of the v4 document is lost.
 */
export function servicesToV5(doc: ServiceDocV4 | Document): AnyBulkWriteOperation<Document> | null {
  if (doc.schemaVersion === '5.0') return null;
  return {
    updateOne: {
      filter: { _id: doc._id as any },
      update: {
        $set: { schemaVersion: '5.0', deployment: v5Deployment(doc), [`${PRIOR}.v5`]: priorOf(doc, V5_TOUCHED) },
        $unset: { orchestrator: '', instances: '' },
      },
    },
  };
}

/**
 * The inverse, for rollback. While deployment still holds what the transform made of the kept fields, they
 * come back exactly (absent ones stay absent); a deployment changed since (or a document written at 5.0)
 * maps back to orchestrator/instances from what it says now.
 */
export function servicesFromV5(doc: Document): AnyBulkWriteOperation<Document> | null {
  if (doc.schemaVersion !== '5.0') return null;
  const prior = priorIn(doc, 'v5');
  if (prior && sameValue(doc.deployment, v5Deployment(prior.present))) return restore(doc, 'v5', prior, V5_TOUCHED);
  const dep = (doc.deployment ?? {}) as { type?: string; replicas?: number };
  const $unset: Document = { deployment: '', schemaVersion: '' };
  if (prior) $unset[Object.keys(doc[PRIOR] as object).length > 1 ? `${PRIOR}.v5` : PRIOR] = '';
  return { updateOne: { filter: { _id: doc._id }, update: { $set: { orchestrator: dep.type ?? 'docker', instances: dep.replicas ?? 1 }, $unset } } };
}

const V6_TOUCHED = ['deployment', 'schemaVersion'];
const v6Deployment = (d: Document) => {
  const dep = (d.deployment && typeof d.deployment === 'object' ? d.deployment : {}) as Record<string, unknown>;
  return { ...dep, type: 'kubernetes', previousType: dep.type ?? 'docker', replicas: dep.replicas ?? 1, resources: dep.resources ?? {} };
};

/** v6: every service on Kubernetes; the v5 deployment and version are kept under _mcpPrior.v6 to undo it exactly. */
export function servicesToV6(doc: Document): AnyBulkWriteOperation<Document> | null {
  if (doc.schemaVersion === '6.0') return null;
  return { updateOne: { filter: { _id: doc._id }, update: { $set: { schemaVersion: '6.0', deployment: v6Deployment(doc), [`${PRIOR}.v6`]: priorOf(doc, V6_TOUCHED) } } } };
}

export function servicesFromV6(doc: Document): AnyBulkWriteOperation<Document> | null {
  if (doc.schemaVersion !== '6.0') return null;
  const prior = priorIn(doc, 'v6');
  if (prior && sameValue(doc.deployment, v6Deployment(prior.present))) return restore(doc, 'v6', prior, V6_TOUCHED);
  const { previousType, resources: _r, ...dep } = (doc.deployment ?? {}) as Record<string, unknown>;
  const update: Document = { $set: { schemaVersion: '5.0', deployment: { ...dep, type: previousType ?? 'docker' } } };
  if (prior) update.$unset = { [Object.keys(doc[PRIOR] as object).length > 1 ? `${PRIOR}.v6` : PRIOR]: '' };
  return { updateOne: { filter: { _id: doc._id }, update } };
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
