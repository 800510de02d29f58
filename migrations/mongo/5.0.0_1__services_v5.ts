// The guide's MongoDB 5.0.0 migration, done right: services get schemaVersion 5.0 and
// deployment {type, replicas} from orchestrator/instances (which are removed), in bounded unordered
// batches from a cursor, resumable; then the index on deployment.type.
import type { MongoMigrationModule } from '../../src/db/mongo-engine.js';
import { servicesFromV5, servicesToV5 } from '../../src/db/mongo-logic.js';

const migration: MongoMigrationModule = {
  description: 'services: schemaVersion 5.0, deployment {type, replicas}; index on deployment.type',
  operations: [
    "services.bulkWrite(unordered, batches of 1000): for each document not at schemaVersion 5.0, $set {schemaVersion: '5.0', deployment: {type: orchestrator || 'docker', replicas: instances || 1}}, $unset {orchestrator, instances}",
    "services.createIndex({'deployment.type': 1})",
  ],
  async up(db, ctx) {
    await ctx.batchUpdate('services', { schemaVersion: { $ne: '5.0' } }, servicesToV5);
    await db.collection('services').createIndex({ 'deployment.type': 1 });
  },
  downOperations: [
    "services.dropIndex('deployment.type_1')",
    'services.bulkWrite(unordered, batches of 1000): deployment {type, replicas} back to orchestrator/instances, $unset {deployment, schemaVersion}',
  ],
  async down(db, ctx) {
    await db.collection('services').dropIndex('deployment.type_1').catch((e: { codeName?: string }) => {
      if (e.codeName !== 'IndexNotFound' && e.codeName !== 'NamespaceNotFound') throw e;
    });
    await ctx.batchUpdate('services', { schemaVersion: '5.0' }, servicesFromV5);
  },
};
export default migration;
