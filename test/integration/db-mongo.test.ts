// The MongoDB adapter and engine against a real server, when MCP_TEST_MONGO_URL names one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeOf } from '../helpers/errors.js';
import { randomBytes } from 'node:crypto';
import { tempDir } from '../helpers/cli.js';
import { openDatabase } from '../../src/db/open.js';
import type { MongoDatabase } from '../../src/db/types.js';
import { acquireMongoLock, loadMongoMigrations, mongoMigrate, mongoRollback, mongoStatus } from '../../src/db/mongo-engine.js';

const URL_ = process.env.MCP_TEST_MONGO_URL;
const opts = { lockTimeoutMs: 2000, progress: () => undefined };

describe.skipIf(!URL_)('MongoDB migrations', () => {
  let d: MongoDatabase;
  beforeAll(async () => {
    const u = new URL(URL_!);
    u.pathname = `/mcp_test_${randomBytes(4).toString('hex')}`;
    d = (await openDatabase({ home: tempDir(), env: { MCP_DATABASE_URL: u.toString() } })) as MongoDatabase;
  });
  afterAll(async () => {
    await d?.db.dropDatabase();
    await d?.close();
  });

  it("adopts the guide's _migrations document, transforms services in batches and rolls back", async () => {
    const migs = await loadMongoMigrations();
    const services = d.db.collection('services');
    await services.insertMany(Array.from({ length: 2500 }, (_, i) => ({ name: `svc-${i}`, orchestrator: i % 3 ? 'docker' : 'kubernetes', instances: (i % 4) + 1 })));
    const r = await mongoMigrate(d, migs, { ...opts, target: '5.0' });
    expect(r.items.map((i) => `${i.action} ${i.name}`)).toEqual(['apply services_v5']);
    expect(await services.countDocuments({ schemaVersion: '5.0', orchestrator: { $exists: false } })).toBe(2500);
    expect(await services.countDocuments({ 'deployment.type': 'kubernetes' })).toBe(834);
    expect((await services.indexes()).map((i) => i.name)).toContain('deployment.type_1');
    const st = await mongoStatus(d, migs);
    expect(st.migrations.map((m) => m.state)).toEqual(['applied', 'pending']);

    await mongoRollback(d, migs, { ...opts, to: '4.2' });
    expect(await services.countDocuments({ orchestrator: { $exists: true }, deployment: { $exists: false } })).toBe(2500);

    // the guide's own bookkeeping, done by hand: adopted, not re-run
    await d.db.collection('_migrations').deleteMany({});
    await d.db.collection('_migrations').insertOne({ version: '5.0.0', startedAt: new Date(), status: 'completed', completedAt: new Date() });
    const adopt = await mongoMigrate(d, migs, { ...opts, target: '5.0' });
    expect(adopt.items.map((i) => i.action)).toEqual(['adopt']);
  });

  it('a second holder of the lock document waits, then fails with exit 4 naming the holder', async () => {
    const held = await acquireMongoLock(d.db, { ...opts, command: 'mcp db migrate' });
    try {
      const err = await acquireMongoLock(d.db, { ...opts, lockTimeoutMs: 300 }).catch((e) => e);
      expect(exitCodeOf(err)).toBe(4);
      expect(err.message).toContain(`pid ${process.pid}`);
    } finally {
      await held.release();
    }
    const again = await acquireMongoLock(d.db, opts);
    await again.release();
  });
});
