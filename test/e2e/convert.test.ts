// `mcp migration convert` as a user runs it: files written, stdout, exit codes, secrets kept out of sight.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { MCP, ROOT, mcp, tempDir } from '../helpers/cli.js';

const COMPOSE = `services:
  web:
    image: nginx:1.27
    ports: ["8080:80"]
    depends_on: [db]
    healthcheck:
      test: curl -fs http://localhost/ || exit 1
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: pg-pass-e2e-123
    volumes: [pgdata:/var/lib/postgresql/data]
    ulimits: { nofile: 1024 }
volumes:
  pgdata: {}
`;

function project(text = COMPOSE) {
  const dir = tempDir('mcp-convert-');
  writeFileSync(join(dir, 'docker-compose.yml'), text);
  return dir;
}

describe('mcp migration convert', () => {
  it('--out writes one valid manifest per object, Secrets 0600, and a report', async () => {
    const dir = project();
    const out = join(dir, 'k8s');
    const r = await mcp(['migration', 'convert', '--compose', join(dir, 'docker-compose.yml'), '--out', out], { home: tempDir() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Wrote \d+ manifests to/);
    expect(r.stdout).toMatch(/ulimits: Kubernetes has no per-pod ulimits/);
    expect(r.stdout).not.toContain('pg-pass-e2e-123');
    const files = readdirSync(out).filter((f) => f.endsWith('.yaml')).sort();
    expect(files[0]).toMatch(/^01-namespace-mcp-platform\.yaml$/);
    const secret = files.find((f) => f.includes('-secret-'))!;
    expect(statSync(join(out, secret)).mode & 0o777).toBe(0o600);
    const s = yaml.load(readFileSync(join(out, secret), 'utf8')) as { data: Record<string, string> };
    expect(Buffer.from(s.data.POSTGRES_PASSWORD!, 'base64').toString()).toBe('pg-pass-e2e-123');
    // the written files validate with the same command
    const v = await mcp(['migration', 'convert', '--validate', out, '--json'], { home: tempDir() });
    expect(v.exitCode, v.stderr).toBe(0);
    expect(v.json()).toMatchObject({ valid: true, objects: files.length });
    // a second run with fewer services removes the manifests it no longer makes
    writeFileSync(join(dir, 'docker-compose.yml'), 'services:\n  web:\n    image: nginx\n');
    const again = await mcp(['migration', 'convert', '--compose', join(dir, 'docker-compose.yml'), '--out', out], { home: tempDir() });
    expect(again.exitCode).toBe(0);
    expect(readdirSync(out).filter((f) => f.endsWith('.yaml')).some((f) => f.includes('postgres') || f.includes('-db'))).toBe(false);
  });

  it('--stdout prints a YAML stream with Secret values withheld; the report goes to stderr', async () => {
    const dir = project();
    const r = await mcp(['migration', 'convert', '--compose', join(dir, 'docker-compose.yml'), '--stdout', '--namespace', 'mcp-staging'], { home: tempDir() });
    expect(r.exitCode, r.stderr).toBe(0);
    const docs = yaml.loadAll(r.stdout) as Array<{ kind: string; metadata: { name: string; namespace?: string }; stringData?: Record<string, string>; data?: unknown }>;
    expect(docs.map((d) => d.kind)).toEqual(['Namespace', 'Secret', 'PersistentVolumeClaim', 'Service', 'Service', 'Deployment', 'Deployment']);
    expect(docs.filter((d) => d.kind === 'Deployment').map((d) => d.metadata.name)).toEqual(['db', 'web']);
    expect(docs.every((d) => d.kind === 'Namespace' || d.metadata.namespace === 'mcp-staging')).toBe(true);
    const secret = docs.find((d) => d.kind === 'Secret')!;
    expect(secret.data).toBeUndefined();
    expect(secret.stringData).toEqual({ POSTGRES_PASSWORD: '' });
    expect(r.stdout + r.stderr).not.toContain('pg-pass-e2e-123');
    expect(r.stdout).not.toContain(Buffer.from('pg-pass-e2e-123').toString('base64'));
    expect(r.stderr).toMatch(/Secret values are not printed: db-env/);
    expect(r.stderr).toMatch(/Needs your attention/);
  });

  it('--json reports every service and key, with counts and the data to move', async () => {
    const dir = project();
    const r = await mcp(['migration', 'convert', '--compose', join(dir, 'docker-compose.yml'), '--json'], { home: tempDir() });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = r.json();
    expect(doc.valid).toBe(true);
    expect(doc.report.services.map((s: { service: string }) => s.service)).toEqual(['web', 'db']);
    const db = doc.report.services[1].entries;
    expect(db).toContainEqual({ field: 'ulimits', status: 'not-converted', note: expect.any(String) });
    expect(doc.counts['not-converted']).toBeGreaterThan(0);
    expect(doc.dataMoves).toEqual([expect.objectContaining({ pvc: 'pgdata', kind: 'volume' })]);
    expect(doc.applyOrder).toEqual(['db', 'web']);
    expect(JSON.stringify(doc)).not.toContain('pg-pass-e2e-123');
  });

  it('converts the home\'s v5 config when no compose file is given', async () => {
    const home = tempDir();
    mkdirSync(join(home, 'config'), { recursive: true });
    writeFileSync(join(home, 'config/platform.json'), JSON.stringify({ version: '5.0', environment: 'development', services: [{ name: 'filesystem-mcp', image: 'mcp/fs:5', ports: ['3001:3000'], instances: 2 }] }));
    const r = await mcp(['migration', 'convert', '--json'], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json().source).toEqual({ kind: 'config', files: [join(home, 'config/platform.json')] });
    expect(r.json().objects).toContainEqual({ kind: 'Deployment', name: 'filesystem-mcp' });
  });

  it('bad input: one line with where and what, exit 2, nothing written', async () => {
    const dir = project('services:\n  web:\n    image: [unclosed\n');
    const out = join(dir, 'k8s');
    const r = await mcp(['migration', 'convert', '--compose', join(dir, 'docker-compose.yml'), '--out', out], { home: tempDir() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^mcp: error: .*docker-compose\.yml:\d+:\d+: malformed YAML/m);
    expect(existsSync(out)).toBe(false);
    const req = project('services:\n  web:\n    image: nginx:${TAG:?set TAG}\n');
    const r2 = await mcp(['migration', 'convert', '--compose', join(req, 'docker-compose.yml'), '--out', join(req, 'k8s')], { home: tempDir(), env: { TAG: undefined } });
    expect(r2.exitCode).toBe(2);
    expect(r2.stderr).toMatch(/required variable TAG is not set: set TAG/);
    expect(existsSync(join(req, 'k8s'))).toBe(false);
  });

  it('--validate names the file, the object and the path of each violation, exit 2', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ok.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\ndata:\n  a: "1"\n');
    writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: "3"\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        ports:\n        - containerPort: 80\n');
    const r = await mcp(['migration', 'convert', '--validate', join(dir, 'ok.yaml'), '--validate', join(dir, 'bad.yaml')], { home: tempDir() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'bad.yaml')} (document 2): Deployment/web spec.replicas: must be integer`);
    expect(r.stdout).toMatch(/schema violation\(s\) in 1 of 2 file\(s\)/);
    const j = await mcp(['migration', 'convert', '--validate', join(dir, 'bad.yaml'), '--json'], { home: tempDir() });
    expect(j.exitCode).toBe(2);
    expect(j.json().issues[0]).toMatchObject({ file: join(dir, 'bad.yaml'), doc: 1, object: 'Deployment/web', path: 'spec.replicas' });
  });

  it('--help (rendered by the command tree) loads no Kubernetes schemas, YAML or ajv', async () => {
    const trace = join(tempDir(), 'imports.txt');
    const r = await execa(process.execPath, ['--import', join(ROOT, 'test/helpers/trace-imports.mjs'), MCP, 'migration', 'convert', '--help'], { env: { ...process.env, MCP_TRACE_IMPORTS: trace, MCP_HOME: tempDir(), MCP_HELP_CACHE: 'off' }, reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n {2}\$ mcp migration convert --compose docker-compose\.yml --out k8s-manifests\//);
    const loaded = readFileSync(trace, 'utf8').trim().split('\n');
    expect(loaded.filter((u) => /node_modules\/(kubernetes-models|@kubernetes-models|ajv|js-yaml)\//.test(u))).toEqual([]);
  });
});
