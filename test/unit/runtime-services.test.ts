// Reading services from v4/v5/v6 configs, selecting them by name, and what the docker runtime generates.
import { describe, expect, it } from 'vitest';
import { withExit } from '../helpers/errors.js';
import yaml from 'js-yaml';
import { dependencyOrder, parseDuration, publishedPort, selectServices, servicesOf } from '../../src/runtime/services.js';
import { colorComposeDocument, composeDocument, imageAt, parsePs, projectName, withTag } from '../../src/runtime/docker.js';
import { networkEndpoints, probeSpecs } from '../../src/bluegreen/docker.js';
import { diffTools, recordKey } from '../../src/health/tools.js';
import { effectiveCheck } from '../../src/health/checks.js';

const v5 = {
  version: '5.0',
  services: [
    { name: 'postgres', type: 'infrastructure', image: 'postgres:16', ports: ['5432:5432'], environment: { POSTGRES_PASSWORD: 'pw' }, volumes: ['./data/pg:/var/lib/postgresql/data'] },
    { name: 'filesystem-mcp', type: 'mcp', image: 'mcp-platform/filesystem:5.0', ports: ['3001:3000'], transport: 'http', dependsOn: ['postgres'], instances: 3, maxCpu: '1000m', maxMemory: '1Gi', healthCheck: { type: 'mcp', timeout: '3s' } },
    { name: 'git-mcp', type: 'mcp', transport: 'stdio', command: ['node', 'git.js'] },
  ],
};

describe('servicesOf', () => {
  it('reads a v5 list; docker is the default runtime', () => {
    const p = servicesOf(v5);
    expect(p.runtime.type).toBe('docker');
    expect(p.services.map((s) => s.name)).toEqual(['postgres', 'filesystem-mcp', 'git-mcp']);
    expect(p.services[1]).toMatchObject({ replicas: 3, dependsOn: ['postgres'], healthCheck: { type: 'mcp', timeoutMs: 3000 } });
  });

  it('reads a v4 mapping with snake_case names and list-form environment', () => {
    const p = servicesOf({ version: '4.2', services: { filesystem_mcp: { image: 'fs:4', environment: ['A=1', 'B=x=y'] } } });
    expect(p.services[0]).toMatchObject({ name: 'filesystem_mcp', environment: { A: '1', B: 'x=y' } });
    expect(p.runtime.type).toBe('docker');
  });

  it('v6 defaults to kubernetes and takes replicas from deployment', () => {
    const p = servicesOf({ version: '6.0', runtime: { namespace: 'ns' }, services: [{ name: 'a', deployment: { type: 'kubernetes', replicas: 4 } }] });
    expect(p.runtime).toMatchObject({ type: 'kubernetes', namespace: 'ns' });
    expect(p.services[0]!.replicas).toBe(4);
  });

  it('rejects what it cannot run, naming the field', () => {
    expect(() => servicesOf({ version: '5.0', runtime: { type: 'nomad' }, services: [] })).toThrow(/runtime.type 'nomad'/);
    expect(() => servicesOf({ version: '5.0', services: [{ name: 'a', healthCheck: { type: 'ping' } }] })).toThrow(/services\[0\]\.healthCheck\.type/);
    expect(() => servicesOf({ version: '5.0', services: [{ name: 'a' }, { name: 'a' }] })).toThrow(/defined twice/);
    expect(() => servicesOf({ version: '5.0', services: [{ image: 'x' }] })).toThrow(/services\[0\] has no name/);
  });
});

describe('selectServices', () => {
  const all = servicesOf(v5).services;
  it('--all, names, snake_case alias, unknown names listed with the known ones', () => {
    expect(selectServices(all, [], { all: true })).toHaveLength(3);
    expect(selectServices(all, ['git_mcp', 'git-mcp']).map((s) => s.name)).toEqual(['git-mcp']);
    expect(() => selectServices(all, ['x', 'git-mcp', 'y'])).toThrow("unknown services 'x', 'y'");
    const err = (() => {
      try {
        selectServices(all, ['x']);
      } catch (e) {
        return withExit(e);
      }
    })();
    expect(err).toMatchObject({ exitCode: 2, hint: 'known services: postgres, filesystem-mcp, git-mcp' });
    expect(() => selectServices(all, [])).toThrow(/name the services, or pass --all/);
    expect(() => selectServices(all, ['git-mcp'], { all: true })).toThrow(/not both/);
  });

  it('orders by dependencies and refuses a cycle', () => {
    const s = servicesOf({ version: '5.0', services: [{ name: 'a', dependsOn: ['b'] }, { name: 'b', dependsOn: ['c'] }, { name: 'c' }] }).services;
    expect(dependencyOrder(s).map((x) => x.name)).toEqual(['c', 'b', 'a']);
    const cyc = servicesOf({ version: '5.0', services: [{ name: 'a', dependsOn: ['b'] }, { name: 'b', dependsOn: ['a'] }] }).services;
    expect(() => dependencyOrder(cyc)).toThrow(/cycle: a → b → a/);
  });
});

describe('small parsers', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5000],
    ['2m', 120000],
    ['1.5', 1500],
    ['1h', 3600000],
  ])('duration %s = %d ms', (v, ms) => expect(parseDuration(v)).toBe(ms));
  it('bare numbers in a config: seconds below 1000, milliseconds from 1000', () => {
    expect(parseDuration(5, 'timeout', 'config')).toBe(5000);
    expect(parseDuration(5000, 'timeout', 'config')).toBe(5000);
    expect(parseDuration(5)).toBe(5000);
  });
  it('a bad duration is exit 2', () => expect(() => parseDuration('soon')).toThrow(/not a duration/));

  it('published ports', () => {
    const p = (ports: string[]) => publishedPort({ ...servicesOf(v5).services[0]!, ports });
    expect(p(['3001:3000'])).toBe(3001);
    expect(p(['127.0.0.1:3002:3000/tcp'])).toBe(3002);
    expect(p(['8080'])).toBe(8080);
    expect(p([])).toBeUndefined();
  });

  it('image tags', () => {
    expect(withTag('mcp-platform/filesystem:5.0', '4.2')).toBe('mcp-platform/filesystem:4.2');
    expect(withTag('registry:5000/team/app', '6.0')).toBe('registry:5000/team/app:6.0');
    expect(withTag('app@sha256:abc', '1')).toBe('app:1');
    // at a platform version, only the platform's own release-tagged images follow it
    expect(imageAt({ type: 'core', image: 'mcp/auth-service:4.2' }, '5.0')).toBe('mcp/auth-service:5.0');
    expect(imageAt({ type: 'mcp', image: 'registry:5000/mcp/fs:4.2.1' }, '5.0')).toBe('registry:5000/mcp/fs:5.0');
    expect(imageAt({ type: 'infrastructure', image: 'postgres:16' }, '5.0')).toBe('postgres:16');
    expect(imageAt({ type: 'infrastructure', image: 'traefik:2.11' }, '5.0')).toBe('traefik:2.11');
    expect(imageAt({ type: 'mcp', image: 'ghcr.io/x/tool:latest' }, '5.0')).toBe('ghcr.io/x/tool:latest');
    expect(imageAt({ type: 'mcp', image: 'ghcr.io/x/tool:1.3-alpine' }, '5.0')).toBe('ghcr.io/x/tool:1.3-alpine');
    expect(imageAt({ type: 'core', image: 'mcp/auth@sha256:abc' }, '5.0')).toBe('mcp/auth@sha256:abc');
    expect(imageAt({ type: 'core', image: 'mcp/auth-service:4.2' })).toBe('mcp/auth-service:4.2');
  });

  it('docker compose ps output: a JSON array (older) or JSON lines (newer)', () => {
    expect(parsePs('[{"Service":"a","State":"running"}]')).toEqual([{ Service: 'a', State: 'running' }]);
    expect(parsePs('{"Service":"a","State":"running"}\n{"Service":"b","State":"exited"}\n').map((e) => e.Service)).toEqual(['a', 'b']);
    expect(parsePs('')).toEqual([]);
  });

  it('tool diffs and record keys', () => {
    expect(diffTools(['read_file', 'write_file'], ['write_file', 'search'])).toEqual({ lost: ['read_file'], added: ['search'] });
    expect(recordKey('filesystem_mcp')).toBe(recordKey('filesystem-mcp'));
  });

  it('default checks: MCP for mcp servers, TCP on a published port, none otherwise', () => {
    const [pg, fs, git] = servicesOf(v5).services;
    expect(effectiveCheck(pg!)).toEqual({ type: 'tcp' });
    expect(effectiveCheck(fs!)!.type).toBe('mcp');
    expect(effectiveCheck(git!)).toEqual({ type: 'mcp' });
    expect(effectiveCheck({ ...git!, command: undefined })).toEqual({ type: 'mcp' });
    expect(effectiveCheck({ ...pg!, ports: [] })).toBeUndefined();
  });
});

describe('compose file', () => {
  it('maps the config to compose: binds against the home, deps, replicas, limits, --version tags', () => {
    const p = servicesOf(v5);
    const doc = composeDocument(p, '/srv/mcp', { version: '4.2' }) as { name: string; services: Record<string, any> };
    expect(doc.name).toBe('mcp');
    // --version re-tags the platform's own images, never infrastructure's (postgres:16 stays postgres:16)
    expect(doc.services['filesystem-mcp'].image).toBe('mcp-platform/filesystem:4.2');
    expect(doc.services['postgres']).toMatchObject({ image: 'postgres:16', volumes: ['/srv/mcp/data/pg:/var/lib/postgresql/data'], environment: { POSTGRES_PASSWORD: 'pw' } });
    expect(doc.services['filesystem-mcp']).toMatchObject({ depends_on: ['postgres'], deploy: { replicas: 3, resources: { limits: { cpus: '1', memory: '1G' } } } });
    expect(doc.services['git-mcp']).toMatchObject({ command: ['node', 'git.js'], stdin_open: true });
    expect(() => yaml.load(yaml.dump(doc))).not.toThrow();
    expect(projectName({ ...p, runtime: { ...p.runtime } }, '/home/op/.mcp-platform')).toBe('mcp-platform');
    expect(projectName({ ...p, runtime: { ...p.runtime, project: 'Prod Stack' } }, '/x')).toBe('prod-stack');
  });

  it("a blue/green color's project: the application services only, on the platform's network under the color's aliases, at its own ports", () => {
    const p = servicesOf(v5);
    const ports = { 'filesystem-mcp': ['127.0.0.1:41001:3000'] };
    const doc = colorComposeDocument(p, '/srv/mcp', { color: 'green', project: 'mcp-green', services: ['filesystem-mcp', 'git-mcp'], ports }) as { name: string; services: Record<string, any>; networks: any };
    expect(doc.name).toBe('mcp-green');
    // never under the services' own names: compose aliases a service's name on its networks, and blue answers to those
    expect(Object.keys(doc.services).sort()).toEqual(['green-filesystem-mcp', 'green-git-mcp']);
    expect(doc.networks).toEqual({ default: { name: 'mcp_default', external: true } });
    // the configured host port (3001) stays with blue; depends_on names no service outside the project
    expect(doc.services['green-filesystem-mcp']).toMatchObject({ image: 'mcp-platform/filesystem:5.0', ports: ['127.0.0.1:41001:3000'] });
    expect(doc.services['green-filesystem-mcp'].depends_on).toBeUndefined();
    expect(doc.services['green-git-mcp'].ports).toBeUndefined();
    // traefik, on that network, reaches each color by its alias (blue as installed: by service name); stdio has no endpoint
    const apps = p.services.filter((x) => x.type !== 'infrastructure');
    expect(networkEndpoints(apps, 'green', ports)).toEqual({ 'filesystem-mcp': 'http://green-filesystem-mcp:3000' });
    expect(networkEndpoints(apps, undefined, {})).toEqual({ 'filesystem-mcp': 'http://filesystem-mcp:3000' });
  });

  it("a color's probes: at its own ports, a health check's configured address replaced by it, stdio servers left out", () => {
    const apps = servicesOf({
      version: '5.0',
      services: [
        { name: 'a', type: 'mcp', ports: ['127.0.0.1:3001:3000'], healthCheck: { type: 'http', url: 'http://localhost:3001/healthz' } },
        { name: 'b', type: 'mcp', ports: ['3002:3000/udp'], healthCheck: { type: 'tcp', host: 'blue.internal', port: 3000 } },
        { name: 'c', type: 'mcp', transport: 'stdio', command: ['node', 'c.js'] },
      ],
    }).services;
    const specs = probeSpecs(apps, { a: ['127.0.0.1:41001:3000'], b: ['127.0.0.1:41002:3000/udp'] });
    expect(specs.map((x) => [x.name, x.ports, x.healthCheck?.url, x.healthCheck?.host, x.healthCheck?.port, x.healthCheck?.path])).toEqual([
      ['a', ['127.0.0.1:41001:3000'], undefined, undefined, 3000, '/healthz'],
      ['b', ['127.0.0.1:41002:3000/udp'], undefined, undefined, 3000, undefined],
    ]);
  });
});
