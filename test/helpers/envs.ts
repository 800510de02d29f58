// Homes for the environment tests: development (the example), staging, production, and the guide's
// dev-to-staging.sh taken from the guide, run by bash with `mcp` on PATH.
import { expect } from 'vitest';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { MCP, ROOT, mcp, tempDir } from './cli.js';
import { openSql } from '../../src/db/open.js';

const guide = readFileSync(join(ROOT, 'test/fixtures/guide/MIGRATION_GUIDE.md'), 'utf8');
export const SCRIPT = guide.match(/```bash\n(#!\/bin\/bash\n# dev-to-staging\.sh[\s\S]*?)```/)![1]!;

/** sha256 of every file under dir, by relative path */
export function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

export async function rows(home: string): Promise<unknown[]> {
  const db = await openSql({ home, env: {} });
  try {
    return (await db.query('SELECT * FROM platform_data ORDER BY 1')).rows;
  } finally {
    await db.close();
  }
}

export function files(dir: string): string[] {
  return Object.keys(tree(dir)).map((f) => join(dir, f));
}

export async function homes() {
  const root = tempDir('mcp-envs-');
  const dev = join(root, 'dev');
  const staging = join(root, 'staging');
  expect((await mcp(['init', '--example'], { home: dev })).exitCode).toBe(0);
  expect((await mcp(['init', '--version', '4.2', '--env', 'staging'], { home: staging })).exitCode).toBe(0);
  // `mcp` on PATH, as the script calls it
  const bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'mcp'), `#!/bin/sh\nexec "${process.execPath}" "${MCP}" "$@"\n`);
  chmodSync(join(bin, 'mcp'), 0o755);
  writeFileSync(join(root, 'dev-to-staging.sh'), SCRIPT);
  const run = (env: Record<string, string> = {}) =>
    execa('bash', ['-e', 'dev-to-staging.sh'], { cwd: root, reject: false, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, MCP_HOME: dev, NO_COLOR: '1', CI: 'true', ...env }, timeout: 180_000 });
  return { root, dev, staging, run };
}

/**
 * A production home with its own config: its API host, a certificate and key for configure_ssl, external
 * services (runtime none). Returns its config file.
 */
export async function productionHome(prod: string): Promise<string> {
  expect((await mcp(['init', '--version', '4.2', '--env', 'production'], { home: prod })).exitCode).toBe(0);
  mkdirSync(join(prod, 'tls'), { mode: 0o700 });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(prod, 'tls/key.pem'), '-out', join(prod, 'tls/cert.pem'), '-days', '365', '-subj', '/CN=api.mcp-platform.io'], { stdio: 'pipe' });
  chmodSync(join(prod, 'tls/key.pem'), 0o600);
  chmodSync(join(prod, 'tls/cert.pem'), 0o600);
  const pc = join(prod, 'config', 'platform.yaml');
  writeFileSync(pc, readFileSync(pc, 'utf8').replace('host: localhost', 'host: api.mcp-platform.io').replace(/runtime:\n {2}type: docker/, 'runtime:\n  type: none').replace(/tls:\n {4}enabled: true/, 'tls:\n    enabled: false\n    cert_file: tls/cert.pem\n    key_file: tls/key.pem'), { mode: 0o600 });
  return pc;
}

