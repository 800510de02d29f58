import { describe, expect, it } from 'vitest';
import { narratesEnd } from '../../src/ops/migration-commands.js';

describe('narratesEnd: which commands leave their end in migration.log', () => {
  it('migration commands that change something and are no executor run', () => {
    for (const c of ['db migrate', 'db rollback', 'db repair', 'db baseline', 'migrate', 'migration transform', 'migration export-data', 'migration convert']) expect(narratesEnd(c), c).toBe(true);
  });
  it('not executor runs (they narrate every event), read-only commands, nor other commands', () => {
    for (const c of ['upgrade', 'migration execute', 'migration resume', 'migration abort', 'migration pause', 'execute', 'rollback', 'resume']) expect(narratesEnd(c), c).toBe(false);
    for (const c of ['migration status', 'migration check', 'migration verify', 'migration test', 'migration preflight', 'migration schedule', 'migration validate-data', 'check', 'plan', 'verify']) expect(narratesEnd(c), c).toBe(false);
    for (const c of ['db status', 'db ping', 'backup create', 'logs', 'data verify']) expect(narratesEnd(c), c).toBe(false);
  });
});
