// The converter on the guide's example and on the lessons of DESIGN.md: every key reported, a Service
// even without ports, probes with the shell form kept, depends_on as ordering, secrets never shown.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { loadCompose, interpolate, shellSplit, durationSeconds } from '../../src/k8s/compose.js';
import { convertCompose, parsePorts, parseVolume, withholdSecrets, reportLines, type K8sObject } from '../../src/k8s/convert.js';
import { cpuQuantity, memoryQuantity } from '../../src/k8s/quantity.js';
import { validateObjects, formatIssue } from '../../src/k8s/validate.js';
import { projectFromPlatform } from '../../src/k8s/platform.js';
import { tempDir } from '../helpers/cli.js';

const GUIDE_COMPOSE = `version: '3.8'
services:
  filesystem-mcp:
    image: mcp-platform/filesystem:5.0
    ports:
      - "3001:3000"
    environment:
      - NODE_ENV=production
    volumes:
      - ./data:/data
    deploy:
      replicas: 3
      resources:
        limits:
          cpus: '1.0'
          memory: 1G
`;

async function convertText(text: string, files: Record<string, string> = {}, env: Record<string, string> = {}) {
  const dir = tempDir('mcp-k8s-');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(resolve(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  writeFileSync(join(dir, 'docker-compose.yml'), text);
  const project = await loadCompose([join(dir, 'docker-compose.yml')], { env });
  const conv = convertCompose(project);
  const issues = await validateObjects(conv.objects);
  expect(issues.map(formatIssue)).toEqual([]);
  return { conv, dir, get: (kind: string, name: string) => conv.objects.find((o) => o.kind === kind && o.metadata.name === name)! };
}

/** The guide's kubernetes-deployment.yaml, from the guide itself when it is beside the repo. */
function guideTarget(): K8sObject[] {
  const guide = resolve(import.meta.dirname, '../../../shared/reference/MIGRATION_GUIDE.md');
  if (!existsSync(guide)) return [];
  const md = readFileSync(guide, 'utf8');
  const block = md.match(/```yaml\n# kubernetes-deployment\.yaml \(target\)\n([\s\S]*?)```/);
  return block ? (yaml.loadAll(block[1]!) as K8sObject[]) : [];
}

describe('the guide\'s docker-compose.yml', () => {
  it('gives the objects of the guide\'s kubernetes-deployment.yaml', async () => {
    const { conv, get } = await convertText(GUIDE_COMPOSE, { 'data/file.txt': 'x' });
    const dep = get('Deployment', 'filesystem-mcp');
    const svc = get('Service', 'filesystem-mcp');
    expect(conv.objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'Namespace', 'PersistentVolumeClaim', 'Service']);
    expect(conv.objects.every((o) => o.kind === 'Namespace' || o.metadata.namespace === 'mcp-platform')).toBe(true);
    const c = dep.spec.template.spec.containers[0];
    const claim = dep.spec.template.spec.volumes[0].persistentVolumeClaim.claimName;
    const ours = {
      replicas: dep.spec.replicas,
      image: c.image,
      ports: c.ports.map((p: { containerPort: number }) => p.containerPort),
      env: c.env,
      resources: c.resources,
      mounts: c.volumeMounts.map((m: { mountPath: string }) => m.mountPath),
      volumeIsPvc: Boolean(claim),
      selector: dep.spec.selector.matchLabels.app,
      service: { selector: svc.spec.selector, ports: svc.spec.ports.map((p: { port: number; targetPort: number }) => [p.port, p.targetPort]) },
    };
    expect(ours).toEqual({
      replicas: 3,
      image: 'mcp-platform/filesystem:5.0',
      ports: [3000],
      env: [{ name: 'NODE_ENV', value: 'production' }],
      resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '100m', memory: '128Mi' } },
      mounts: ['/data'],
      volumeIsPvc: true,
      selector: 'filesystem-mcp',
      service: { selector: { app: 'filesystem-mcp' }, ports: [[3000, 3000]] },
    });
    expect(get('PersistentVolumeClaim', claim).spec.resources.requests.storage).toBe('1Gi');
    // and against the guide's own text, where it is available
    const target = guideTarget();
    if (target.length) {
      const t = target.find((o) => o.kind === 'Deployment')!;
      const tc = t.spec.template.spec.containers[0];
      expect(dep.metadata.namespace).toBe(t.metadata.namespace);
      expect(dep.spec.replicas).toBe(t.spec.replicas);
      expect(c.resources).toEqual(tc.resources);
      expect(c.env).toEqual(tc.env);
      expect(c.ports.map((p: { containerPort: number }) => p.containerPort)).toEqual(tc.ports.map((p: { containerPort: number }) => p.containerPort));
      const ts = target.find((o) => o.kind === 'Service')!;
      expect(svc.spec.ports.map((p: { port: number; targetPort: number }) => [p.port, p.targetPort])).toEqual(ts.spec.ports.map((p: { port: number; targetPort: number }) => [p.port, p.targetPort]));
      expect(svc.spec.selector).toEqual(ts.spec.selector);
      // the guide's target itself validates
      expect((await validateObjects(target)).map(formatIssue)).toEqual([]);
    }
    expect(conv.dataMoves).toEqual([expect.objectContaining({ service: 'filesystem-mcp', pvc: claim, mountPath: '/data', kind: 'bind' })]);
  });
});

describe('conversion rules', () => {
  it('a service without ports still gets a Service: headless, so its name resolves', async () => {
    const { get, conv } = await convertText('services:\n  worker:\n    image: busybox\n');
    const svc = get('Service', 'worker');
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.ports).toBeUndefined();
    expect(svc.spec.selector).toEqual({ app: 'worker' });
    expect(conv.report.services[0]!.entries.some((e) => e.field === 'service' && e.status === 'changed')).toBe(true);
  });

  it('healthcheck → readiness and liveness; shell form through sh -c; CMD form kept as argv', async () => {
    const { get } = await convertText(`services:
  a:
    image: x
    healthcheck:
      test: curl -f http://localhost/ || exit 1
      interval: 1m30s
      timeout: 5s
      retries: 4
      start_period: 20s
  b:
    image: x
    healthcheck:
      test: ["CMD", "pg_isready", "-U", "postgres"]
  c:
    image: x
    healthcheck:
      test: ["CMD-SHELL", "pg_isready || exit 1"]
`);
    const a = get('Deployment', 'a').spec.template.spec.containers[0];
    expect(a.readinessProbe).toEqual({ exec: { command: ['sh', '-c', 'curl -f http://localhost/ || exit 1'] }, periodSeconds: 90, timeoutSeconds: 5, failureThreshold: 4, initialDelaySeconds: 20 });
    expect(a.livenessProbe).toEqual(a.readinessProbe);
    expect(get('Deployment', 'b').spec.template.spec.containers[0].livenessProbe.exec.command).toEqual(['pg_isready', '-U', 'postgres']);
    expect(get('Deployment', 'c').spec.template.spec.containers[0].readinessProbe.exec.command).toEqual(['sh', '-c', 'pg_isready || exit 1']);
  });

  it('depends_on: an init container waits until the dependency is ready, an annotation records it, and it comes later in apply order', async () => {
    const { conv, get } = await convertText(`services:
  web:
    image: web
    depends_on:
      api: { condition: service_healthy }
  api:
    image: api
    ports: ["8080"]
    depends_on: [db]
  db:
    image: postgres
`);
    const web = get('Deployment', 'web');
    expect(web.metadata.annotations!['mcp-platform.io/depends-on']).toBe('api');
    const init = web.spec.template.spec.initContainers[0];
    expect(init.command.join(' ')).toContain('nc -z -w 2 api 8080');
    expect(get('Deployment', 'api').spec.template.spec.initContainers[0].command.join(' ')).toContain('nslookup db');
    const order = conv.objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
    expect(order).toEqual(['db', 'api', 'web']);
    expect(conv.order).toEqual(['db', 'api', 'web']);
  });

  it('every key that is not converted is in the report, none silently dropped', async () => {
    const { conv } = await convertText(`services:
  a:
    image: x
    ulimits: { nofile: 1024 }
    logging: { driver: syslog }
    network_mode: host
    x-custom: 1
    sysctls: { net.core.somaxconn: 1024 }
    stop_signal: SIGINT
    bogus_key: 1
networks:
  front: {}
`);
    const keys = conv.report.services[0]!.entries.filter((e) => e.status === 'not-converted').map((e) => e.field);
    expect(keys.sort()).toEqual(['bogus_key', 'logging', 'network_mode', 'stop_signal', 'sysctls', 'ulimits', 'x-custom']);
    expect(conv.report.project.map((e) => e.field)).toContain('networks');
    // and every key of the service has at least one line
    for (const k of ['image', 'ulimits', 'logging', 'network_mode', 'x-custom', 'sysctls', 'stop_signal', 'bogus_key']) {
      expect(conv.report.services[0]!.entries.some((e) => e.field === k || e.field.startsWith(`${k}.`)), k).toBe(true);
    }
  });

  it('secrets: compose secrets and secret-looking env become Secrets; values never in the report or printed objects', async () => {
    const { conv, get } = await convertText(
      `services:
  db:
    image: postgres
    environment:
      POSTGRES_PASSWORD: s3cr3t-value-1
      DATABASE_URL: postgres://app:hunter2-pw@db/app
      POSTGRES_DB: app
    env_file: [db.env]
    secrets: [api_key, { source: tls, target: server.pem }]
    configs: [nginx_conf]
secrets:
  api_key: { file: ./api_key.txt }
  tls: { environment: TLS_PEM }
configs:
  nginx_conf: { file: ./nginx.conf }
`,
      { 'db.env': 'API_TOKEN=tok-abcdef-123\nLOG_LEVEL=debug\n', 'api_key.txt': 'key-material-xyz', 'nginx.conf': 'server {}' },
      { TLS_PEM: 'pem-bytes-here' },
    );
    const env = get('Secret', 'db-env');
    expect(Object.keys(env.data).sort()).toEqual(['API_TOKEN', 'DATABASE_URL', 'POSTGRES_PASSWORD']);
    expect(Buffer.from(env.data.POSTGRES_PASSWORD, 'base64').toString()).toBe('s3cr3t-value-1');
    expect(get('ConfigMap', 'db-env').data).toEqual({ LOG_LEVEL: 'debug' });
    const c = get('Deployment', 'db').spec.template.spec.containers[0];
    expect(c.env).toContainEqual({ name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-env', key: 'POSTGRES_PASSWORD' } } });
    expect(c.env).toContainEqual({ name: 'POSTGRES_DB', value: 'app' });
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'db-env' } }, { secretRef: { name: 'db-env' } }]);
    expect(Buffer.from(get('Secret', 'secret-api-key').data.api_key, 'base64').toString()).toBe('key-material-xyz');
    expect(Buffer.from(get('Secret', 'secret-tls').data.tls, 'base64').toString()).toBe('pem-bytes-here');
    expect(c.volumeMounts).toContainEqual(expect.objectContaining({ mountPath: '/run/secrets/api_key', subPath: 'api_key', readOnly: true }));
    expect(c.volumeMounts).toContainEqual(expect.objectContaining({ mountPath: '/run/secrets/server.pem', subPath: 'tls' }));
    expect(c.volumeMounts).toContainEqual(expect.objectContaining({ mountPath: '/nginx_conf', subPath: 'nginx_conf' }));
    expect(get('ConfigMap', 'config-nginx-conf').data).toEqual({ nginx_conf: 'server {}' });
    const shown = JSON.stringify([conv.report, reportLines(conv.report, true), withholdSecrets(conv.objects)]);
    for (const v of ['s3cr3t-value-1', 'hunter2-pw', 'tok-abcdef-123', 'key-material-xyz', 'pem-bytes-here']) {
      expect(shown).not.toContain(v);
      expect(shown).not.toContain(Buffer.from(v).toString('base64'));
    }
    expect(conv.secrets.sort()).toEqual(['db-env', 'secret-api-key', 'secret-tls']);
  });

  it('named volumes become one shared PVC with an explicit size; files become ConfigMaps; tmpfs and anonymous volumes emptyDir', async () => {
    const { get, conv } = await convertText(
      `services:
  a:
    image: x
    volumes: [pgdata:/var/lib/postgresql/data, ./conf/app.ini:/etc/app.ini:ro, /cache]
    tmpfs: [/run]
  b:
    image: x
    volumes: [pgdata:/backup:ro]
volumes:
  pgdata:
    x-kubernetes: { size: 20Gi }
`,
      { 'conf/app.ini': '[x]\n' },
    );
    expect(get('PersistentVolumeClaim', 'pgdata').spec.resources.requests.storage).toBe('20Gi');
    expect(conv.objects.filter((o) => o.kind === 'PersistentVolumeClaim')).toHaveLength(1);
    expect(get('ConfigMap', 'a-app-ini').data).toEqual({ 'app.ini': '[x]\n' });
    const vols = get('Deployment', 'a').spec.template.spec.volumes;
    expect(vols.filter((v: { emptyDir?: unknown }) => v.emptyDir)).toHaveLength(2);
    expect(conv.report.project.some((e) => e.field === 'volumes.pgdata' && /a, b/.test(e.note))).toBe(true);
    expect(conv.dataMoves).toEqual([expect.objectContaining({ pvc: 'pgdata', kind: 'volume', source: 'pgdata' })]);
  });

  it('compose files merge in order and environment wins over env_file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.yml'), 'services:\n  s:\n    image: x:1\n    environment: { A: "1", B: "1" }\n    ports: ["80"]\n');
    writeFileSync(join(dir, 'b.yml'), 'services:\n  s:\n    image: x:2\n    environment: [B=2]\n    ports: ["443"]\n');
    const conv = convertCompose(await loadCompose([join(dir, 'a.yml'), join(dir, 'b.yml')], { env: {} }));
    const c = conv.objects.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0];
    expect(c.image).toBe('x:2');
    expect(c.env).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
    expect(c.ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([80, 443]);
  });
});

describe('parsers', () => {
  it('interpolation follows docker compose', () => {
    const unset = new Set<string>();
    const vars = { A: 'a', EMPTY: '' };
    expect(interpolate('${A}-$A-${B:-dflt}-${EMPTY:-e}-${EMPTY-e}-$$A-${A:+set}', vars, unset, 'x')).toBe('a-a-dflt-e--$A-set');
    expect(interpolate('${MISSING}', vars, unset, 'x')).toBe('');
    expect([...unset]).toEqual(['MISSING']);
    expect(() => interpolate('${NEED:?set NEED first}', vars, unset, 'services.a.image')).toThrow(/required variable NEED is not set: set NEED first/);
  });

  it('ports, volumes, commands, durations, quantities', () => {
    expect(parsePorts('127.0.0.1:5000-5001:6000-6001/udp')).toEqual([
      { target: 6000, published: 5000, protocol: 'UDP', hostIp: '127.0.0.1' },
      { target: 6001, published: 5001, protocol: 'UDP', hostIp: '127.0.0.1' },
    ]);
    expect(parsePorts({ target: 80, published: '8080', protocol: 'tcp' })[0]).toMatchObject({ target: 80, published: 8080, protocol: 'TCP' });
    expect(() => parsePorts('abc')).toThrow();
    expect(parseVolume('C:\\Users\\x:D:\\config:rw')).toMatchObject({ type: 'bind', source: 'C:\\Users\\x', target: 'D:\\config' });
    expect(parseVolume('data:/data:ro')).toMatchObject({ type: 'volume', source: 'data', readOnly: true });
    expect(parseVolume('/only')).toMatchObject({ type: 'anonymous', target: '/only' });
    expect(shellSplit(`sh -c "echo 'hi there'" x\\ y`)).toEqual(['sh', '-c', "echo 'hi there'", 'x y']);
    expect(durationSeconds('1m30s')).toBe(90);
    expect(durationSeconds('500ms')).toBe(1);
    expect(cpuQuantity('1.0')).toBe('1');
    expect(cpuQuantity(0.25)).toBe('250m');
    expect(cpuQuantity('1000m')).toBe('1');
    expect(memoryQuantity('1G')).toBe('1Gi');
    expect(memoryQuantity('512m')).toBe('512Mi');
    expect(memoryQuantity('1.5g')).toBe('1536Mi');
    expect(memoryQuantity('1G', 'k8s')).toBe('1G');
    expect(memoryQuantity('512m', 'k8s')).toBe('512Mi');
    expect(memoryQuantity('lots')).toBeUndefined();
  });
});

describe('from a platform config', () => {
  it('v5 services (instances, maxCpu/maxMemory, healthCheck) and v6 deployment.resources give the same kind of objects', async () => {
    const v5 = {
      version: '5.0',
      runtime: { type: 'docker', namespace: 'mcp-prod' },
      services: [
        { name: 'filesystem-mcp', type: 'mcp', transport: 'http', image: 'mcp-platform/filesystem:5.0', ports: ['3001:3000'], environment: { NODE_ENV: 'production', API_TOKEN: 'tok-should-hide' }, volumes: ['./data/filesystem:/data'], healthCheck: { type: 'http', path: '/health', port: 3000 }, instances: 2, maxCpu: '500m', maxMemory: '512Mi' },
        { name: 'git-mcp', type: 'mcp', transport: 'stdio', image: 'mcp-platform/git:5.0', dependsOn: ['filesystem-mcp'], healthCheck: { type: 'command', command: 'git --version' }, plugins: ['x'] },
      ],
    };
    const src = projectFromPlatform(v5, '/srv/mcp', 'platform.json');
    expect(src.namespace).toBe('mcp-prod');
    const conv = convertCompose(src.project, { namespace: src.namespace });
    expect((await validateObjects(conv.objects)).map(formatIssue)).toEqual([]);
    const fs = conv.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'filesystem-mcp')!;
    const c = fs.spec.template.spec.containers[0];
    expect(fs.spec.replicas).toBe(2);
    expect(c.resources).toEqual({ limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health', port: 3000 });
    expect(conv.objects.find((o) => o.kind === 'Secret')!.metadata.name).toBe('filesystem-mcp-env');
    expect(conv.dataMoves[0]).toMatchObject({ source: '/srv/mcp/data/filesystem', pvc: 'filesystem-mcp-filesystem' });
    const git = conv.objects.find((o) => o.kind === 'Service' && o.metadata.name === 'git-mcp')!;
    expect(git.spec.clusterIP).toBe('None');
    expect(src.notes.map((n) => n.field)).toContain('services.git-mcp.plugins');

    const v6 = { version: '6.0', services: [{ name: 'auth-service', image: 'mcp/auth:6', ports: ['8080'], deployment: { type: 'kubernetes', replicas: 3, resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '1000m', memory: '1Gi' } } } }] };
    const c6 = convertCompose(projectFromPlatform(v6, '/srv', 'p.json').project);
    const d6 = c6.objects.find((o) => o.kind === 'Deployment')!;
    expect(d6.spec.replicas).toBe(3);
    expect(d6.spec.template.spec.containers[0].resources).toEqual({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '200m', memory: '256Mi' } });
  });

  it('refuses a v4 config and a config without services, naming the field', () => {
    expect(() => projectFromPlatform({ version: '4.2', services: {} }, '/', 'p.yaml')).toThrow(/version 4.2/);
    expect(() => projectFromPlatform({ version: '5.0', services: [] }, '/', 'p.json')).toThrow(/no services/);
  });
});

describe('offline validation', () => {
  it('reports schema violations with the object and the path inside it', async () => {
    const bad = [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 'three', selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'x', ports: [{ containerPort: '80' }] }] } } } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'Web_1' }, spec: { ports: [{ port: 80 }] } },
      { apiVersion: 'v1', kind: 'Frobnicator', metadata: { name: 'x' } },
    ];
    const issues = (await validateObjects(bad)).map(formatIssue);
    expect(issues).toContain('Deployment/web spec.replicas: must be integer');
    expect(issues).toContain('Deployment/web spec.template.spec.containers[0].ports[0].containerPort: must be integer');
    expect(issues.some((i) => i.startsWith('Service/Web_1 metadata.name:'))).toBe(true);
    expect(issues.some((i) => i.startsWith('Frobnicator/x apiVersion: unknown kind'))).toBe(true);
  });
});
