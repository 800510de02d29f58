// v6: services deploy to Kubernetes (the v5 type kept as deployment.previousType to undo it), and the
// authentication providers collection with the JWT provider.
import type { MongoMigrationModule } from '../../src/db/mongo-engine.js';
import { servicesFromV6, servicesToV6 } from '../../src/db/mongo-logic.js';

const migration: MongoMigrationModule = {
  description: 'services on Kubernetes (schemaVersion 6.0); auth_providers with jwt',
  operations: [
    "services.bulkWrite(unordered, batches of 1000): $set {schemaVersion: '6.0', deployment.type: 'kubernetes', deployment.previousType, deployment.resources}",
    "auth_providers.updateOne({name: 'jwt'}, {$setOnInsert: {type: 'jwt', enabled: true}}, {upsert: true}); createIndex({name: 1}, {unique: true})",
  ],
  async up(db, ctx) {
    await ctx.batchUpdate('services', { schemaVersion: { $ne: '6.0' } }, servicesToV6);
    await db.collection('auth_providers').createIndex({ name: 1 }, { unique: true });
    await db.collection('auth_providers').updateOne({ name: 'jwt' }, { $setOnInsert: { type: 'jwt', enabled: true, createdAt: new Date() } }, { upsert: true });
  },
  downOperations: ['auth_providers.drop()', "services.bulkWrite(unordered, batches of 1000): schemaVersion back to 5.0, deployment.type from previousType"],
  async down(db, ctx) {
    await db.collection('auth_providers').drop().catch(() => undefined);
    await ctx.batchUpdate('services', { schemaVersion: '6.0' }, servicesFromV6);
  },
};
export default migration;
