// The --json contract: every command of src/cli/results.ts, run through the built binary on an installation,
// prints what its schema says (and schemas/results/ is what the schemas generate); every failure prints the
// error document. A renamed or retyped field fails here before it breaks an operator's script.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mcp, ROOT, tempDir } from '../helpers/cli.js';
import { RESULTS, errorResult, renderResultSchemas, resultFileName, resultSchemaFor, type ResultCommand } from '../../src/cli/results.js';
import { leafPaths } from '../helpers/json-contract.js';

let home = '';
beforeAll(async () => {
  home = tempDir();
  expect((await mcp(['init', '--example'], { home })).exitCode).toBe(0);
  expect((await mcp(['backup', 'create', '--name', 'contract'], { home, timeoutMs: 120_000 })).exitCode).toBe(0);
}, 180_000);

// how each command is run for the check; exit codes are those of a healthy example installation
const RUN: Partial<Record<ResultCommand, { args: string[]; exit: number }>> = {
  version: { args: ['version', '--current'], exit: 0 },
  'services list': { args: ['services', 'list'], exit: 0 },
  health: { args: ['health'], exit: 0 },
  status: { args: ['status'], exit: 0 },
  // the example's v4 database was never migrated by mcp: no snapshot, 4.0.0_1 untracked (exit 3, reported in checks)
  'migration verify': { args: ['migration', 'verify', '--version', '4.2'], exit: 3 },
  'migration status': { args: ['migration', 'status'], exit: 0 },
  'migration check': { args: ['migration', 'check', '--target-version', '6.0'], exit: 0 },
  'db status': { args: ['db', 'status'], exit: 0 },
  'config validate': { args: ['config', 'validate'], exit: 0 },
  'backup create': { args: ['backup', 'create', '--name', 'contract-2'], exit: 0 },
  'backup list': { args: ['backup', 'list'], exit: 0 },
  'backup verify': { args: ['backup', 'verify', '--id', 'contract'], exit: 0 },
};

describe('--json results', () => {
  it('schemas/results/ is what src/cli/results.ts generates (npm run schemas)', () => {
    for (const { file, text } of renderResultSchemas()) expect(readFileSync(join(ROOT, 'schemas', file), 'utf8'), file).toBe(text);
  });

  it('every command of both binaries publishes its result schema, and docs/json.md lists it', () => {
    const doc = readFileSync(join(ROOT, 'docs/json.md'), 'utf8');
    const missing: string[] = [];
    for (const bin of ['mcp', 'mcp-migrate'] as const) {
      for (const path of leafPaths(bin)) {
        if (!resultSchemaFor(bin, path)) missing.push(`${bin} ${path}: no schema`);
        const file = resultFileName(bin === 'mcp' ? path : `mcp-migrate ${path}`);
        if (!doc.includes('`' + file + '`')) missing.push(`${bin} ${path}: docs/json.md does not list ${file}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it.each(Object.keys(RUN) as ResultCommand[])('mcp %s --json validates against its schema', async (cmd) => {
    const { args, exit } = RUN[cmd]!;
    const r = await mcp([...args, '--json'], { home, timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(exit);
    const parsed = RESULTS[cmd].safeParse(JSON.parse(r.stdout));
    expect(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`), r.stdout.slice(0, 400)).toEqual([]);
  }, 120_000);

  it('pass/fail is `ok` wherever a command judges: verify, health, db status, config validate, migration check, backup verify', async () => {
    for (const cmd of ['migration verify', 'health', 'db status', 'config validate', 'migration check', 'backup verify'] as ResultCommand[]) {
      const doc = JSON.parse((await mcp([...RUN[cmd]!.args, '--json'], { home })).stdout);
      expect(typeof doc.ok, cmd).toBe('boolean');
    }
  }, 120_000);

  it.each([
    [['version', 'restore', '9.9'], 2],
    [['backup', 'verify', '--id', 'no-such-backup'], 3],
    [['migration', 'verify', '--version', '6.0'], 3],
    [['config', 'validate', '--file', '/nonexistent.yaml'], 2],
  ] as const)('a failure (mcp %s) prints the error document with its exit code', async (args, code) => {
    const r = await mcp([...args, '--json'], { home });
    expect(r.exitCode).toBe(code);
    const doc = JSON.parse(r.stdout);
    if (doc.error) {
      expect(errorResult.safeParse(doc).success, r.stdout).toBe(true);
      expect(doc.error.exitCode).toBe(code);
    } else {
      // a check that ran and found problems reports them in its own result, ok: false
      expect(doc.ok).toBe(false);
    }
  }, 120_000);
});
