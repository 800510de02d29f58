// The guide's v5→v6 step 2 and its post-migration check: export-data → transform → validate-data, then
// verify-data record by record after the migration. Users and keys never reach stdout; their files are 0600.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mcp, ROOT, tempDir } from '../helpers/cli.js';
import { createTestDb, pgExec, type TestDb } from '../helpers/pg.js';

const sql = pgExec;

describe('mcp migration export-data / transform / validate-data / verify-data', () => {
  let db: TestDb;
  let home: string;
  let env: Record<string, string>;
  const SECRET_HASH = 'sha256$f00dfeedcafe0123456789';
  beforeAll(async () => {
    db = await createTestDb('mcp_pkg_e2e');
    env = { MCP_DATABASE_URL: db.url };
    home = tempDir();
    expect((await mcp(['init', '--version', '5.0'], { home })).exitCode).toBe(0);
    copyFileSync(join(ROOT, 'test/fixtures/config/v5.json'), join(home, 'config/platform.json'));
    await sql(db.url, `
      CREATE TABLE users (id BIGINT PRIMARY KEY, username VARCHAR(255) NOT NULL UNIQUE, email VARCHAR(255), role VARCHAR(32) NOT NULL DEFAULT 'user', created_at TIMESTAMP NOT NULL DEFAULT '2025-07-01 10:00:00');
      CREATE TABLE api_keys (id BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL, owner VARCHAR(255), key_hash VARCHAR(128), scopes JSONB NOT NULL DEFAULT '[]', created_at TIMESTAMP NOT NULL DEFAULT '2025-07-01 10:00:00');
      INSERT INTO users (id, username, email, role) VALUES (1, 'admin', 'admin@example.com', 'admin'), (2, 'ops', 'ops@example.com', 'user'), (3, 'ci', NULL, 'user');
      INSERT INTO api_keys (id, name, owner, key_hash, scopes) VALUES (10, 'ci-key', 'ci', '${SECRET_HASH}', '["read"]'), (11, 'deploy', 'ops', 'sha256$abcdef', '["read","write"]');`);
  });
  afterAll(async () => db?.drop());

  it('runs the guide\'s step 2 and verifies the data after the migration', async () => {
    const out = tempDir();
    const v5 = join(out, 'mcp-v5-data');
    const v6 = join(out, 'mcp-v6-data');
    const ex = await mcp(['migration', 'export-data', '--version', '5.x', '--output', v5, '--include', 'services,config,users,keys', '--json'], { home, env });
    expect(ex.exitCode, ex.stderr).toBe(0);
    expect(ex.json().records).toMatchObject({ users: 3, keys: 2, config: 1 });
    expect(ex.stdout + ex.stderr).not.toMatch(/admin@example\.com|f00dfeed/);
    for (const f of ['users.ndjson', 'keys.ndjson', 'config.json']) expect(statSync(join(v5, f)).mode & 0o777).toBe(0o600);
    expect(statSync(v5).mode & 0o777).toBe(0o700);

    const tr = await mcp(['migration', 'transform', '--source', v5, '--target', '6.0', '--output', v6, '--json'], { home, env });
    expect(tr.exitCode, tr.stderr).toBe(0);
    expect(tr.json()).toMatchObject({ from: '5.1', to: '6.0' });
    const cfg6 = JSON.parse(readFileSync(join(v6, 'config.json'), 'utf8'));
    expect(cfg6.version).toMatch(/^6\.0/);
    expect(cfg6.services.every((s: { deployment?: { type: string } }) => s.deployment?.type === 'kubernetes')).toBe(true);
    expect(readFileSync(join(v6, 'users.ndjson'), 'utf8')).toMatch(/"auth_provider":"jwt"/);
    expect(statSync(join(v6, 'keys.ndjson')).mode & 0o777).toBe(0o600);

    expect((await mcp(['migration', 'validate-data', '--data', v6, '--schema', 'v6'], { home })).exitCode).toBe(0);
    const wrong = await mcp(['migration', 'validate-data', '--data', v5, '--schema', 'v6', '--json'], { home });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.json().issues.length).toBeGreaterThan(0);

    // the migration happens: the v6 config is applied, the users table gains its provider column
    writeFileSync(join(home, 'config/platform.json'), JSON.stringify(cfg6, null, 2));
    await sql(db.url, `ALTER TABLE users ADD COLUMN auth_provider VARCHAR(64) NOT NULL DEFAULT 'jwt'`);
    const same = await mcp(['migration', 'verify-data', '--compare-with', v5, '--json'], { home, env });
    expect(same.exitCode, same.stdout + same.stderr).toBe(0);
    expect(same.json().diff.users).toMatchObject({ expected: 3, actual: 3, missing: [], changed: [] });

    // a lost user and an altered key are named (by id), their content never shown
    await sql(db.url, `DELETE FROM users WHERE id = 3; UPDATE api_keys SET key_hash = 'sha256$changed' WHERE id = 10; INSERT INTO api_keys (id, name) VALUES (12, 'new')`);
    const diff = await mcp(['migration', 'verify-data', '--compare-with', v5], { home, env });
    expect(diff.exitCode).toBe(3);
    expect(diff.stdout).toMatch(/missing: users 3/);
    expect(diff.stdout).toMatch(/changed: keys 10/);
    expect(diff.stdout).toMatch(/extra:\s+keys 12/);
    expect(diff.stdout + diff.stderr).not.toMatch(/f00dfeed|sha256\$changed|example\.com/);
  });

  it('refuses a package whose files changed after export (exit 5), and an existing output (exit 3)', async () => {
    const out = tempDir();
    const v5 = join(out, 'pkg');
    expect((await mcp(['migration', 'export-data', '--version', '5.0', '--output', v5, '--include', 'config,services'], { home: tempDir() })).exitCode).not.toBe(0);
    const h2 = tempDir();
    await mcp(['init', '--version', '5.0'], { home: h2 });
    copyFileSync(join(ROOT, 'test/fixtures/config/v5.json'), join(h2, 'config/platform.json'));
    expect((await mcp(['migration', 'export-data', '--version', '5.x', '--output', v5, '--include', 'config,services'], { home: h2 })).exitCode).toBe(0);
    writeFileSync(join(v5, 'services.ndjson'), readFileSync(join(v5, 'services.ndjson'), 'utf8').replace(/"image":"[^"]*"/, '"image":"evil:latest"'));
    const t = await mcp(['migration', 'transform', '--source', v5, '--target', '6.0', '--output', join(out, 'v6')], { home: h2 });
    expect(t.exitCode).toBe(5);
    expect(t.stderr).toMatch(/SHA-256/);
    const again = await mcp(['migration', 'export-data', '--version', '5.x', '--output', v5], { home: h2 });
    expect(again.exitCode).toBe(3);
  });

  it('a --source that does not exist, or is no package, is bad input (exit 2) as for --config, and nothing is written', async () => {
    const out = join(tempDir(), 'v6');
    const missing = await mcp(['migration', 'transform', '--source', join(tempDir(), 'nonexistent'), '--target', '6.0', '--output', out], { home: tempDir() });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/^mcp: error: --source: cannot read --source .*nonexistent: no such directory\nhint: check the path given to --source/m);
    const empty = await mcp(['migration', 'transform', '--source', tempDir(), '--target', '6.0', '--output', out], { home: tempDir() });
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toMatch(/is not a data package \(no manifest\.json\)/);
    expect(existsSync(out)).toBe(false);
  });
});
