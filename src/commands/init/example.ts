// `mcp init --example`: the bundled example v4 installation the README's main job upgrades.
// A v4.2 config with the services the guide names (snake_case, as v4 writes them), data files for the
// services with volumes, and the embedded database (PGlite) with rows in the v4 single-table layout.
// Runtime `none`: there is no container engine here, so the services are external and every
// start/stop is reported as such.
import { join } from 'node:path';
import { readdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import type { Handler } from '../../cli/program.js';
import { ensureLayout, layout } from '../../home.js';
import { exists, writeFileAtomic } from '../../fsutil.js';
import { preconditionError, usageError } from '../../errors.js';
import { registerSecret } from '../../redact.js';
import { modules } from '../../run/steps/modules.js';
import { recordVersion } from '../../version-history.js';

export const EXAMPLE_VERSION = '4.2';
export const EXAMPLE_ROWS = 200;

const svc = (name: string, type: string, image: string, port: number | undefined, extra: Record<string, unknown> = {}) => ({
  name,
  type,
  image,
  ...(port ? { ports: [`${port}:${type === 'mcp' ? 3000 : port}`] } : {}),
  ...extra,
});

export function exampleConfig(token: string): Record<string, unknown> {
  return {
    version: EXAMPLE_VERSION,
    environment: 'development',
    platform: { name: 'mcp-example' },
    api: { host: 'localhost', port: 8080, base_path: '/api/' },
    security: { tls: { enabled: false } },
    auth: { type: 'bearer', tokens: [{ name: 'admin', token, scopes: ['admin'] }] },
    database: { type: 'pglite', table: 'platform_data' },
    runtime: { type: 'none' },
    services: [
      svc('traefik', 'infrastructure', 'traefik:2.11', 8081, { volumes: ['./data/traefik:/etc/traefik'], health_check: { type: 'tcp', port: 8081 } }),
      svc('redis', 'infrastructure', 'redis:7-alpine', 6379, { volumes: ['./data/redis:/data'], health_check: { type: 'tcp', port: 6379 } }),
      svc('postgres', 'infrastructure', 'postgres:16', 5433, { volumes: ['./data/postgres:/docker-entrypoint-initdb.d'], health_check: { type: 'tcp', port: 5433 } }),
      svc('auth_service', 'core', 'mcp/auth-service:4.2', 4001, { depends_on: ['postgres', 'redis'], health_check: { type: 'http', path: '/health', port: 4001 }, instances: 2 }),
      svc('config_service', 'core', 'mcp/config-service:4.2', 4002, { depends_on: ['postgres'], health_check: { type: 'http', path: '/health', port: 4002 } }),
      svc('registry_service', 'core', 'mcp/registry-service:4.2', 4003, { depends_on: ['postgres', 'auth_service'], health_check: { type: 'http', path: '/health', port: 4003 } }),
      svc('filesystem_mcp', 'mcp', 'mcp/filesystem:4.2', 3001, { transport: 'http', volumes: ['./data/filesystem:/data'], depends_on: ['registry_service'], max_cpu: '1000m', max_memory: '1Gi', health_check: { type: 'http', path: '/health', port: 3001 } }),
      svc('git_mcp', 'mcp', 'mcp/git:4.2', 3002, { transport: 'http', volumes: ['./data/git:/repos'], depends_on: ['registry_service'], health_check: { type: 'http', path: '/health', port: 3002 } }),
      svc('browser_mcp', 'mcp', 'mcp/browser:4.2', 3003, { transport: 'http', depends_on: ['registry_service'], instances: 2, max_memory: '2Gi', health_check: { type: 'http', path: '/health', port: 3003 } }),
    ],
  };
}

const DATA_FILES: Record<string, string> = {
  'traefik/traefik.yml': 'entryPoints:\n  web:\n    address: ":8081"\nproviders:\n  file:\n    directory: /etc/traefik/dynamic\n',
  'traefik/dynamic/routes.yml': 'http:\n  routers:\n    api:\n      rule: PathPrefix(`/api/`)\n      service: registry_service\n',
  'redis/redis.conf': 'appendonly yes\nsave 60 1000\n',
  'postgres/00-init.sql': '-- the example keeps its platform data in the embedded database (state/pglite)\nCREATE EXTENSION IF NOT EXISTS pgcrypto;\n',
  'filesystem/README.md': '# Shared files\n\nFiles the filesystem MCP server exposes to clients.\n',
  'filesystem/projects/roadmap.md': '# Roadmap\n\n- v5: JWT, JSON config, multi-table database\n- v6: microservices on Kubernetes\n',
  'filesystem/projects/notes.txt': 'Example notes kept by the filesystem MCP server.\n',
  'git/example.git/HEAD': 'ref: refs/heads/main\n',
  'git/example.git/config': '[core]\n\trepositoryformatversion = 0\n\tbare = true\n',
  'git/example.git/description': 'Example repository served by git-mcp\n',
};

export const exampleHandler: Handler<{ example?: boolean; version?: string; env?: string; rows?: string }> = async (ctx, opts) => {
  if (opts.version && opts.version !== '6.0' && opts.version !== EXAMPLE_VERSION) {
    throw usageError(`--example creates a ${EXAMPLE_VERSION} installation; --version ${opts.version} does not apply`, { hint: 'mcp init --example' });
  }
  const l = layout(ctx.home);
  for (const name of ['platform.yaml', 'platform.json']) {
    if (await exists(join(l.config, name))) {
      throw preconditionError(`${ctx.home} already holds a platform config (${join(l.config, name)})`, { hint: 'choose an empty directory with --home' });
    }
  }
  if ((await exists(ctx.home)) && (await readdir(ctx.home)).some((n) => n !== 'logs')) {
    throw preconditionError(`${ctx.home} is not empty`, { hint: 'the example needs an empty home: --home DIR' });
  }
  const db = await modules.db();
  await ensureLayout(ctx.home);
  // the static v4 bearer token: a secret, generated here, never printed
  const token = `v4-${randomBytes(18).toString('base64url')}`;
  registerSecret(token);
  const yaml = (await import('js-yaml')).default;
  const configPath = join(l.config, 'platform.yaml');
  await writeFileAtomic(configPath, yaml.dump(exampleConfig(token), { lineWidth: 120 }), { mode: 0o600 });
  for (const [rel, text] of Object.entries(DATA_FILES)) await writeFileAtomic(join(l.data, rel), text);
  const rows = opts.rows ? Number(opts.rows) : EXAMPLE_ROWS;
  // the example is embedded PGlite (no database.url in its config, MCP_DATABASE_URL aside)
  const conn = await db.openSql({ home: ctx.home, env: ctx.env, command: 'mcp init --example' });
  let seeded: Awaited<ReturnType<typeof db.seedV4Example>>;
  try {
    seeded = await db.seedV4Example(conn, { rows });
  } finally {
    await conn.close();
  }
  await recordVersion(ctx.home, EXAMPLE_VERSION);
  ctx.log.log('info', 'home.example', { home: ctx.home, version: EXAMPLE_VERSION, rows: seeded.rows });
  return {
    data: { home: ctx.home, version: EXAMPLE_VERSION, config: configPath, runtime: 'none', database: { type: 'pglite', display: conn.display, ...seeded }, dataFiles: Object.keys(DATA_FILES).length },
    text: [
      `Created the example ${EXAMPLE_VERSION} installation at ${ctx.home}`,
      `  config:   ${configPath} (9 services, runtime none: services are external)`,
      `  data:     ${l.data} (${Object.keys(DATA_FILES).length} files)`,
      `  database: ${conn.display}, v4 single-table layout, ${seeded.rows} rows`,
      `Upgrade it with: mcp upgrade --to 6.0`,
    ],
  };
};
