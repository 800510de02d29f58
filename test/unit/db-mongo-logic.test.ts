// MongoDB migration logic that needs no server: the guide's services transform, bounded batches, lock rules,
// and that the compiled package can load its MongoDB migrations.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { lockIsFree, lockTakeFilter, nextExpiry, runBatched, servicesFromV5, servicesToV5, servicesToV6, servicesFromV6 } from '../../src/db/mongo-logic.js';
import { loadMongoMigrations } from '../../src/db/mongo-engine.js';
import { ROOT } from '../helpers/cli.js';

/** Apply an updateOne's $set/$unset to a plain document, as the server would (dotted paths one level deep). */
function applyUpdate(doc: Record<string, any>, op: any): Record<string, any> {
  const out = structuredClone(doc);
  for (const [k, v] of Object.entries(op.updateOne.update.$set ?? {})) {
    const [a, b] = k.split('.');
    if (b === undefined) out[a!] = structuredClone(v);
    else (out[a!] ??= {})[b] = structuredClone(v);
  }
  for (const k of Object.keys(op.updateOne.update.$unset ?? {})) {
    const [a, b] = k.split('.');
    if (b === undefined) delete out[a!];
    else if (out[a!]) delete out[a!][b];
  }
  return out;
}

async function* from<T>(xs: T[]) {
  for (const x of xs) yield x;
}

describe('the guide 5.0.0 services transform', () => {
  it('moves orchestrator/instances into deployment and marks schemaVersion 5.0', () => {
    const op = servicesToV5({ _id: 1, name: 'git-mcp', orchestrator: 'kubernetes', instances: 3 });
    expect(op).toEqual({
      updateOne: {
        filter: { _id: 1 },
        update: {
          $set: { schemaVersion: '5.0', deployment: { type: 'kubernetes', replicas: 3 }, '_mcpPrior.v5': { present: { orchestrator: 'kubernetes', instances: 3 }, absent: ['deployment', 'schemaVersion'] } },
          $unset: { orchestrator: '', instances: '' },
        },
      },
    });
    expect(applyUpdate({ _id: 2, name: 'x' }, servicesToV5({ _id: 2, name: 'x' }))).toMatchObject({ _id: 2, name: 'x', schemaVersion: '5.0', deployment: { type: 'docker', replicas: 1 } });
  });

  it('skips documents already at 5.0, so a rerun is harmless', () => {
    expect(servicesToV5({ _id: 1, schemaVersion: '5.0', deployment: { type: 'docker', replicas: 1 } })).toBeNull();
  });

  it('down undoes up exactly for any document: missing, null, odd or extra fields, an existing deployment', () => {
    const anyValue = fc.oneof(fc.constant(null), fc.integer({ min: -3, max: 5 }), fc.constantFrom('', 'docker', 'kubernetes'), fc.boolean(), fc.dictionary(fc.constantFrom('type', 'replicas', 'x'), fc.jsonValue(), { maxKeys: 3 }));
    const doc = fc.record(
      { _id: fc.integer(), name: fc.string(), orchestrator: anyValue, instances: anyValue, deployment: anyValue, schemaVersion: fc.constantFrom('4.2', '4', ''), extra: fc.jsonValue() },
      { requiredKeys: ['_id'] },
    );
    fc.assert(
      fc.property(doc, (d) => {
        const v5 = applyUpdate(d, servicesToV5(d));
        expect(v5.schemaVersion).toBe('5.0');
        expect(applyUpdate(v5, servicesFromV5(v5))).toEqual(d);
        const v6 = applyUpdate(v5, servicesToV6(v5));
        expect(v6.deployment.type).toBe('kubernetes');
        expect(applyUpdate(v6, servicesFromV6(v6))).toEqual(v5);
        expect(applyUpdate(applyUpdate(v6, servicesFromV6(v6)), servicesFromV5(v5))).toEqual(d);
      }),
      { numRuns: 300 },
    );
  });

  it('a deployment changed at 5.0 maps back from what it says now (the change is kept, not the stale v4 values)', () => {
    const v5 = applyUpdate({ _id: 1, orchestrator: 'docker', instances: 1 }, servicesToV5({ _id: 1, orchestrator: 'docker', instances: 1 }));
    v5.deployment.replicas = 4;
    expect(applyUpdate(v5, servicesFromV5(v5))).toEqual({ _id: 1, orchestrator: 'docker', instances: 4 });
  });

  it('down undoes up for any v4 service that had both fields', () => {
    fc.assert(
      fc.property(fc.record({ _id: fc.integer(), name: fc.string(), orchestrator: fc.constantFrom('docker', 'kubernetes'), instances: fc.integer({ min: 1, max: 50 }) }), (d) => {
        const v5 = applyUpdate(d, servicesToV5(d));
        expect(applyUpdate(v5, servicesFromV5(v5))).toEqual(d);
        const v6 = applyUpdate(v5, servicesToV6(v5));
        expect(v6.deployment.type).toBe('kubernetes');
        expect(applyUpdate(v6, servicesFromV6(v6))).toEqual({ ...v5, deployment: { ...v5.deployment } });
      }),
    );
  });
});

describe('batched bulk writes', () => {
  it('never sends an empty batch (the guide executes one and MongoDB throws)', async () => {
    const writes: number[] = [];
    const r = await runBatched(from([{ _id: 1, schemaVersion: '5.0' }]), servicesToV5, 10, { write: async (ops) => void writes.push(ops.length) });
    expect(writes).toEqual([]);
    expect(r).toEqual({ seen: 1, written: 0 });
  });

  it('bounds every batch, records the last key of each, and covers every document once', async () => {
    fc.assert(
      await fc.asyncProperty(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 64 }), async (n, size) => {
        const docs = Array.from({ length: n }, (_, i) => ({ _id: i + 1, orchestrator: i % 2 ? 'kubernetes' : undefined }));
        const batches: { ids: unknown[]; last: unknown }[] = [];
        const r = await runBatched(from(docs), servicesToV5, size, { write: async (ops, last) => void batches.push({ ids: ops.map((o: any) => o.updateOne.filter._id), last }) });
        expect(r.written).toBe(n);
        expect(batches.every((b) => b.ids.length > 0 && b.ids.length <= size)).toBe(true);
        expect(batches.flatMap((b) => b.ids)).toEqual(docs.map((d) => d._id));
        for (const b of batches) expect(b.last).toBe(b.ids[b.ids.length - 1]);
      }),
      { numRuns: 60 },
    );
  });

  it('holds at most one batch in memory however many documents stream by', async () => {
    let pending = 0;
    let peak = 0;
    async function* many() {
      for (let i = 0; i < 20_000; i++) {
        pending++;
        peak = Math.max(peak, pending);
        yield { _id: i };
      }
    }
    await runBatched(many(), servicesToV5, 500, { write: async (ops) => void (pending -= ops.length) });
    expect(peak).toBeLessThanOrEqual(500);
  });
});

describe('the lock document', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const doc = (expires: Date, token = 'a') => ({ _id: 'migrate', token, holder: { pid: 1, host: 'h', started: '' }, expiresAt: expires });
  it('is free when absent, expired, or ours; held otherwise', () => {
    expect(lockIsFree(null, now)).toBe(true);
    expect(lockIsFree(doc(new Date(now.getTime() - 1)), now)).toBe(true);
    expect(lockIsFree(doc(new Date(now.getTime() + 1000)), now)).toBe(false);
    expect(lockIsFree(doc(new Date(now.getTime() + 1000), 'me'), now, 'me')).toBe(true);
  });
  it('is taken with a filter that only matches a free document, and leased for 60 s', () => {
    expect(lockTakeFilter(now, 't')).toEqual({ _id: 'migrate', $or: [{ expiresAt: { $lt: now } }, { token: 't' }] });
    expect(nextExpiry(now).getTime() - now.getTime()).toBe(60_000);
  });
});

describe('MongoDB migration modules', () => {
  it('load from the sources, with checksums over the TypeScript text', async () => {
    const migs = await loadMongoMigrations();
    expect(migs.map((m) => `${m.version}_${m.seq}__${m.name}`)).toEqual(['5.0.0_1__services_v5', '6.0.0_1__services_v6']);
    expect(migs[0]!.file).toBe('5.0.0_1__services_v5.ts');
    expect(migs[0]!.up[0]!.statements[0]!.sql).toMatch(/bulkWrite\(unordered, batches of 1000\)/);
  });

  it('load from the built package (dist/migrations/mongo/*.js), same checksums', async () => {
    const built = await import(join(ROOT, 'dist/src/db/mongo-engine.js'));
    const a = await built.loadMongoMigrations();
    const b = await loadMongoMigrations();
    expect(a.map((m: any) => [m.name, m.checksum])).toEqual(b.map((m) => [m.name, m.checksum]));
    expect(typeof a[0].module.up).toBe('function');
  });
});
