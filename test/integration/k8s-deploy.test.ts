// `mcp deploy` against a fake kubectl / docker on PATH (test/helpers/fakebin.ts): the calls made, in
// order, and what the user sees when a rollout fails (exit 1, what failed, what was rolled back).
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mcp, tempDir } from '../helpers/cli.js';
import { fakeBins, type FakeRule } from '../helpers/fakebin.js';

const NOT_FOUND = { exitCode: 1, stderr: 'Error from server (NotFound): namespaces "mcp-platform" not found\n' };

function setup(config: Record<string, unknown>, files: Record<string, string> = {}) {
  const root = tempDir('mcp-deploy-');
  const home = join(root, 'home');
  mkdirSync(join(home, 'config'), { recursive: true });
  mkdirSync(join(home, 'data', 'filesystem'), { recursive: true });
  writeFileSync(join(home, 'data', 'filesystem', 'a.txt'), 'abc');
  const cfg = join(root, 'config-staging.json');
  writeFileSync(cfg, JSON.stringify(config));
  for (const [n, t] of Object.entries(files)) writeFileSync(join(root, n), t);
  return { root, home, cfg };
}

const V6 = {
  version: '6.0',
  environment: 'staging',
  runtime: { type: 'kubernetes', namespace: 'mcp-platform', context: 'staging-ctx' },
  services: [
    { name: 'postgres', image: 'postgres:16', ports: ['5432:5432'], environment: { POSTGRES_PASSWORD: 'pw-very-secret' } },
    { name: 'filesystem-mcp', image: 'mcp-platform/filesystem:6.0', ports: ['3001:3000'], volumes: ['./data/filesystem:/data'], dependsOn: ['postgres'], deployment: { replicas: 3 } },
  ],
};

const applyOk = (lines: string): FakeRule => ({ args: ['--context', 'staging-ctx', 'apply', '-n', 'mcp-platform', '-f', '-'], stdout: lines });

/** `kubectl get -n NS kind/name -o json` answered with NotFound: nothing of the run exists yet */
const NONE_YET: FakeRule = { args: ['--context', 'staging-ctx', 'get', '-n', 'mcp-platform'], exitCode: 1, stderr: 'Error from server (NotFound): not found\n' };

/**
 * A small cluster for the fake kubectl (a `handler`: runs inside the fake, state in state.json):
 * `state.objects` maps `kind/name` to the live object; get/apply/replace/delete/scale act on it like
 * the API server would (apply says created, configured or unchanged); `rollout status` fails for the
 * Deployments in `state.failRollout`; the data step's helper pod (wait/exec/cp) is simulated too.
 */
function cluster(argv: string[], state: any, _require: unknown, stdin?: string) {
  const a = argv[0] === '--context' ? argv.slice(2) : argv;
  state.objects ??= {};
  state.rv ??= 100;
  const GROUP: Record<string, string> = { deployment: '.apps', statefulset: '.apps', daemonset: '.apps' };
  const refOf = (o: any) => `${o.kind.toLowerCase()}/${o.metadata.name}`;
  const body = (o: any) => JSON.stringify({ data: o.data, stringData: o.stringData, spec: o.spec, labels: o.metadata.labels });
  const store = (o: any) => {
    state.rv++;
    state.objects[refOf(o)] = { ...o, metadata: { ...o.metadata, resourceVersion: String(state.rv), uid: `uid-${refOf(o)}`, creationTimestamp: '2024-01-01T00:00:00Z', managedFields: [{ manager: 'kubectl' }] }, status: { observed: true } };
  };
  const verb = a[0];
  if (verb === 'get' && a[1] === 'namespace') return { stdout: 'namespace/mcp-platform\n' };
  if (verb === 'get' && a[1] === 'crd') return { exitCode: 1, stderr: 'Error from server (NotFound): crd not found\n' };
  if (verb === 'get') {
    const o = state.objects[a[3]!];
    return o ? { stdout: JSON.stringify(o) } : { exitCode: 1, stderr: `Error from server (NotFound): ${a[3]} not found\n` };
  }
  if (verb === 'apply') {
    const doc = JSON.parse(stdin!);
    const out: string[] = [];
    for (const o of doc.kind === 'List' ? doc.items : [doc]) {
      const old = state.objects[refOf(o)];
      const action = !old ? 'created' : body(old) === body(o) ? 'unchanged' : 'configured';
      if (action !== 'unchanged') store(o);
      out.push(`${o.kind.toLowerCase()}${GROUP[o.kind.toLowerCase()] ?? ''}/${o.metadata.name} ${action}`);
    }
    return { stdout: out.join('\n') + '\n' };
  }
  if (verb === 'replace') {
    const o = JSON.parse(stdin!);
    if (!state.objects[refOf(o)]) return { exitCode: 1, stderr: `Error from server (NotFound): ${refOf(o)} not found\n` };
    store(o);
    return { stdout: `${refOf(o)} replaced\n` };
  }
  if (verb === 'delete' && a[3] === 'pod') {
    delete state.objects[`pod/${a[4]}`];
    return { stdout: 'pod deleted\n' };
  }
  if (verb === 'delete') {
    const existed = Boolean(state.objects[a[3]!]);
    delete state.objects[a[3]!];
    return { stdout: existed ? `${a[3]} deleted\n` : '' };
  }
  if (verb === 'scale') {
    const o = state.objects[a[3]!];
    o.spec.replicas = Number(a[4]!.split('=')[1]);
    return { stdout: `${a[3]} scaled\n` };
  }
  if (verb === 'rollout' && a[1] === 'status') {
    const name = a[4]!.split('/')[1];
    return (state.failRollout ?? []).includes(name) ? { exitCode: 1, stderr: `error: deployment "${name}" exceeded its progress deadline\n` } : { stdout: 'successfully rolled out\n' };
  }
  if (verb === 'wait') return { stdout: 'condition met\n' };
  if (verb === 'exec') return { stdout: state.copied ? '1\n3\n' : '0\n0\n' };
  if (verb === 'cp') {
    state.copied = true;
    return {};
  }
  return { exitCode: 97, stderr: `unexpected call: kubectl ${argv.join(' ')}\n` };
}

const CLUSTER: FakeRule[] = [{ args: [], handler: cluster.toString() }];

describe('mcp deploy (kubernetes runtime, fake kubectl)', () => {
  it('creates the namespace, applies in order, waits for each rollout', async () => {
    const { home, cfg, root } = setup(V6);
    const fb = fakeBins(root, {
      kubectl: [
        { args: ['--context', 'staging-ctx', 'get', 'namespace', 'mcp-platform'], ...NOT_FOUND },
        { args: ['--context', 'staging-ctx', 'create', 'namespace', 'mcp-platform'], stdout: 'namespace/mcp-platform created\n' },
        applyOk('secret/postgres-env created\npersistentvolumeclaim/filesystem-mcp-filesystem created\nservice/postgres created\nservice/filesystem-mcp created\ndeployment.apps/postgres created\ndeployment.apps/filesystem-mcp created\n'),
        { args: ['--context', 'staging-ctx', 'rollout', 'status', '-n', 'mcp-platform'], stdout: 'successfully rolled out\n' },
      ],
    });
    const r = await mcp(['deploy', '--env', 'staging', '--config', cfg, '--timeout', '90s', '--json'], { home, env: fb.env });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = r.json();
    expect(doc).toMatchObject({ runtime: 'kubernetes', namespace: 'mcp-platform', namespaceCreated: true, rolledOut: ['postgres', 'filesystem-mcp'] });
    expect(doc.pendingDataMoves).toEqual([expect.objectContaining({ pvc: 'filesystem-mcp-filesystem' })]);
    const calls = fb.calls('kubectl').map((c) => c.argv.slice(2).join(' '));
    expect(calls).toEqual([
      'get namespace mcp-platform -o name',
      'create namespace mcp-platform',
      'apply -n mcp-platform -f -',
      'apply -n mcp-platform -f -',
      'rollout status -n mcp-platform deployment/postgres --timeout=90s',
      'apply -n mcp-platform -f -',
      'rollout status -n mcp-platform deployment/filesystem-mcp --timeout=90s',
    ]);
    const applied = fb.calls('kubectl').filter((c) => c.argv[2] === 'apply').map((c) => JSON.parse(c.stdin!).items.map((o: { kind: string; metadata: { name: string } }) => `${o.kind}/${o.metadata.name}`));
    expect(applied[0]).toEqual(['Secret/postgres-env', 'PersistentVolumeClaim/filesystem-mcp-filesystem', 'Service/postgres', 'Service/filesystem-mcp']);
    expect(applied.slice(1)).toEqual([['Deployment/postgres'], ['Deployment/filesystem-mcp']]);
    // the secret went to kubectl, never to our output
    expect(r.stdout + r.stderr).not.toContain('pw-very-secret');
  });

  it("an exported config's [REDACTED] secret reaches the cluster as the environment's own secret, never as the placeholder", async () => {
    const exported = { ...V6, services: [{ ...V6.services[0]!, environment: { POSTGRES_PASSWORD: '[REDACTED]' } }, V6.services[1]!] };
    const { home, cfg, root } = setup(exported);
    const fb = fakeBins(root, { kubectl: CLUSTER });
    const env = { ...fb.env, MCP_STAGING_SECRET_SERVICES_0_ENVIRONMENT_POSTGRES_PASSWORD: 'pw-of-staging-4417' };
    // without the secret: refused before kubectl is called
    const none = await mcp(['deploy', '--env', 'staging', '--config', cfg], { home, env: fb.env });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('services[0].environment.POSTGRES_PASSWORD');
    expect(fb.calls('kubectl')).toEqual([]);
    const r = await mcp(['deploy', '--env', 'staging', '--config', cfg], { home, env });
    expect(r.exitCode, r.stderr).toBe(0);
    const secret = fb.state<{ objects: Record<string, any> }>().objects['secret/postgres-env'];
    const values = { ...secret.stringData, ...Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString()])) };
    expect(values.POSTGRES_PASSWORD).toBe('pw-of-staging-4417');
    for (const c of fb.calls('kubectl')) expect(c.stdin ?? '').not.toContain('[REDACTED]');
    expect(r.stdout + r.stderr).not.toContain('pw-of-staging-4417');
  });

  it('a failed rollout is undone: exit 1 naming what failed and what was rolled back', async () => {
    const { home, cfg, root } = setup(V6);
    const fb = fakeBins(root, { kubectl: CLUSTER });
    // first deploy: everything is created
    expect((await mcp(['deploy', '--env', 'staging', '--config', cfg], { home, env: fb.env })).exitCode).toBe(0);
    const before = fb.state<{ objects: Record<string, any> }>().objects;
    // the next version: both Deployments change, the second one does not come up
    writeFileSync(cfg, JSON.stringify({ ...V6, services: V6.services.map((s) => ({ ...s, image: `${s.image}-next` })) }));
    fb.setState({ ...fb.state(), failRollout: ['filesystem-mcp'] });
    const r = await mcp(['deploy', '--env', 'staging', '--config', cfg], { home, env: fb.env });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/rollout of deployment\/filesystem-mcp failed \(error: deployment "filesystem-mcp" exceeded its progress deadline\); rolled back: deployment\/filesystem-mcp \(restored\), deployment\/postgres \(restored\)\n/);
    expect(r.stderr).toMatch(/hint: see why with: kubectl -n mcp-platform describe deployment\/filesystem-mcp/);
    const replaced = fb.calls('kubectl').filter((c) => c.argv[2] === 'replace').map((c) => JSON.parse(c.stdin!));
    expect(replaced.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Deployment/filesystem-mcp', 'Deployment/postgres']);
    // the saved objects went back, not `rollout undo`: the old images, without server-managed fields
    const after = fb.state<{ objects: Record<string, any> }>().objects;
    for (const ref of ['deployment/filesystem-mcp', 'deployment/postgres']) {
      expect(after[ref].spec.template.spec.containers[0].image).toBe(before[ref].spec.template.spec.containers[0].image);
      expect(after[ref].spec.template.spec.containers[0].image).not.toMatch(/-next$/);
    }
    expect(replaced[0].metadata).not.toHaveProperty('resourceVersion');
    expect(replaced[0].metadata).not.toHaveProperty('uid');
    expect(replaced[0].metadata).not.toHaveProperty('managedFields');
    expect(replaced[0]).not.toHaveProperty('status');
    expect(fb.calls('kubectl').filter((c) => c.argv.includes('undo'))).toEqual([]);
  });

  it('a Deployment this run created is deleted when its rollout fails (nothing to undo to)', async () => {
    const { home, cfg, root } = setup({ ...V6, services: [V6.services[1]!] });
    const fb = fakeBins(root, {
      kubectl: [
        { args: ['--context', 'staging-ctx', 'get', 'namespace'], stdout: 'namespace/mcp-platform\n' },
        NONE_YET,
        { args: ['--context', 'staging-ctx', 'apply'], stdout: 'persistentvolumeclaim/filesystem-mcp-filesystem created\nservice/filesystem-mcp created\ndeployment.apps/filesystem-mcp created\n' },
        { args: ['--context', 'staging-ctx', 'rollout', 'status'], exitCode: 1, stderr: 'error: deployment "filesystem-mcp" exceeded its progress deadline\n' },
        { args: ['--context', 'staging-ctx', 'delete', '-n', 'mcp-platform'], stdout: 'deleted\n' },
      ],
    });
    const r = await mcp(['deploy', '--env', 'staging', '--config', cfg, '--json'], { home, env: fb.env });
    expect(r.exitCode).toBe(1);
    expect(r.json().error).toMatchObject({ code: 'rollout_failed', exitCode: 1 });
    expect(r.json().error.message).toContain('rolled back: deployment/filesystem-mcp (new: deleted), service/filesystem-mcp (new: deleted), persistentvolumeclaim/filesystem-mcp-filesystem (new: kept, claims are never deleted)');
    expect(r.json().error.details.rolledBack).toEqual(['deployment/filesystem-mcp (new: deleted)', 'service/filesystem-mcp (new: deleted)', 'persistentvolumeclaim/filesystem-mcp-filesystem (new: kept, claims are never deleted)']);
    const deletes = fb.calls('kubectl').filter((c) => c.argv[2] === 'delete').map((c) => c.argv.slice(2).join(' '));
    expect(deletes).toEqual(['delete -n mcp-platform deployment/filesystem-mcp --ignore-not-found', 'delete -n mcp-platform service/filesystem-mcp --ignore-not-found']);
  });

  it('canary: a replica-ratio canary Deployment when the Argo Rollouts CRD is absent', async () => {
    const { home, cfg, root } = setup({ ...V6, services: [{ name: 'git-mcp', image: 'mcp/git:6.1', ports: ['3002:3000'], deployment: { replicas: 5 } }] });
    const fb = fakeBins(root, {
      kubectl: [
        { args: ['--context', 'staging-ctx', 'get', 'namespace'], stdout: 'namespace/mcp-platform\n' },
        { args: ['--context', 'staging-ctx', 'get', '-n', 'mcp-platform', 'deployment/git-mcp'], stdout: JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'git-mcp', resourceVersion: '7' }, spec: { replicas: 5 } }) },
        NONE_YET,
        { args: ['--context', 'staging-ctx', 'get', 'crd', 'rollouts.argoproj.io'], exitCode: 1, stderr: 'Error from server (NotFound)\n' },
        { args: ['--context', 'staging-ctx', 'scale', '-n', 'mcp-platform', 'deployment/git-mcp', '--replicas=4'], stdout: 'scaled\n' },
        { args: ['--context', 'staging-ctx', 'apply'], stdout: 'deployment.apps/git-mcp-canary created\n' },
        { args: ['--context', 'staging-ctx', 'rollout', 'status', '-n', 'mcp-platform', 'deployment/git-mcp-canary'], stdout: 'ok\n' },
      ],
    });
    const r = await mcp(['deploy', '--env', 'staging', '--config', cfg, '--canary', '20', '--canary-duration', '2h', '--json'], { home, env: fb.env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json().canary).toEqual({ mode: 'replica-ratio', services: ['git-mcp'], percentage: 20, durationSeconds: 7200 });
    const canary = fb.calls('kubectl').filter((c) => c.argv[2] === 'apply').map((c) => JSON.parse(c.stdin!).items).flat().find((o: { metadata: { name: string } }) => o.metadata.name === 'git-mcp-canary');
    expect(canary.spec.replicas).toBe(1);
    expect(canary.spec.selector.matchLabels).toEqual({ app: 'git-mcp', 'mcp-platform.io/track': 'canary' });
    expect(canary.spec.template.metadata.labels.app).toBe('git-mcp');
  });

  it('canary: an Argo Rollout when the CRD is there', async () => {
    const { home, cfg, root } = setup({ ...V6, services: [{ name: 'git-mcp', image: 'mcp/git:6.1', ports: ['3000'], deployment: { replicas: 5 } }] });
    const fb = fakeBins(root, {
      kubectl: [
        { args: ['--context', 'staging-ctx', 'get', 'namespace'], stdout: 'namespace/mcp-platform\n' },
        { args: ['--context', 'staging-ctx', 'get', '-n', 'mcp-platform', 'deployment/git-mcp'], stdout: JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'git-mcp', resourceVersion: '7' }, spec: { replicas: 5 } }) },
        NONE_YET,
        { args: ['--context', 'staging-ctx', 'get', 'crd', 'rollouts.argoproj.io'], stdout: 'customresourcedefinition.apiextensions.k8s.io/rollouts.argoproj.io\n' },
        { args: ['--context', 'staging-ctx', 'apply'], stdout: 'rollout.argoproj.io/git-mcp created\n' },
      ],
    });
    const r = await mcp(['deploy', '--env', 'staging', '--config', cfg, '--canary', '10', '--json'], { home, env: fb.env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json().canary.mode).toBe('argo-rollouts');
    const rollout = fb.calls('kubectl').filter((c) => c.argv[2] === 'apply').map((c) => JSON.parse(c.stdin!).items).flat().find((o: { kind: string }) => o.kind === 'Rollout');
    expect(rollout.spec.strategy.canary.steps).toEqual([{ setWeight: 10 }, { pause: { duration: '3600s' } }, { setWeight: 100 }]);
  });

  it('--move-data copies the bind-mount data into the PVC through a helper pod and checks the counts', async () => {
    const { home, cfg, root } = setup({ ...V6, services: [V6.services[1]!].map((s) => ({ ...s, dependsOn: [] })) });
    const fb = fakeBins(root, {
      kubectl: [
        { args: ['--context', 'staging-ctx', 'get', 'namespace'], stdout: 'namespace/mcp-platform\n' },
        NONE_YET,
        { args: ['--context', 'staging-ctx', 'apply'], stdout: 'configured\n' },
        { args: ['--context', 'staging-ctx', 'wait'], stdout: 'pod/mcp-data-filesystem-mcp-filesystem condition met\n' },
        { args: ['--context', 'staging-ctx', 'exec'], stdout: '0\n0\n', stdoutFromState: 'copied' },
        { args: ['--context', 'staging-ctx', 'cp'], writeState: { name: 'copied', text: '1\n3\n' } },
        { args: ['--context', 'staging-ctx', 'delete', '-n', 'mcp-platform', 'pod'], stdout: 'deleted\n' },
        { args: ['--context', 'staging-ctx', 'rollout', 'status'], stdout: 'ok\n' },
      ],
    });
    const r = await mcp(['deploy', '--env', 'staging', '--config', cfg, '--move-data', '--json'], { home, env: fb.env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json().dataMoves).toEqual([{ pvc: 'filesystem-mcp-filesystem', source: join(home, 'data/filesystem'), status: 'copied', files: 1, bytes: 3 }]);
    const seq = fb.calls('kubectl').map((c) => c.argv[2]);
    // the state before (namespace, claim, Service, Deployment), the claims, then the data, then the workload
    expect(seq).toEqual(['get', 'get', 'get', 'get', 'apply', 'apply', 'wait', 'exec', 'cp', 'exec', 'delete', 'apply', 'rollout']);
    expect(fb.calls('kubectl').find((c) => c.argv[2] === 'cp')!.argv.slice(5)).toEqual([`${join(home, 'data/filesystem')}/.`, 'mcp-data-filesystem-mcp-filesystem:/target']);
  });

  it('refuses a config made for another environment before calling anything (exit 2)', async () => {
    const { home, cfg, root } = setup(V6);
    const fb = fakeBins(root, { kubectl: [] });
    const r = await mcp(['deploy', '--env', 'production', '--config', cfg], { home, env: fb.env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("the config is for environment 'staging', not 'production'");
    expect(fb.calls()).toEqual([]);
  });

  it('an unreachable cluster is a precondition failure (exit 3)', async () => {
    const { home, cfg, root } = setup(V6);
    const fb = fakeBins(root, { kubectl: [{ args: ['--context'], exitCode: 1, stderr: 'The connection to the server localhost:8080 was refused\n' }] });
    const r = await mcp(['deploy', '--env', 'staging', '--config', cfg], { home, env: fb.env });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/cannot reach the cluster/);
  });

  it('--dry-run lists the plan and calls nothing', async () => {
    const { home, cfg, root } = setup(V6);
    const fb = fakeBins(root, { kubectl: [] });
    const r = await mcp(['deploy', '--env', 'staging', '--config', cfg, '--dry-run', '--json'], { home, env: fb.env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json().steps.map((s: { step: string }) => s.step)).toEqual(['namespace', 'record', 'apply', 'apply', 'rollout', 'apply', 'rollout']);
    expect(fb.calls()).toEqual([]);
  });
});

describe('mcp deploy: a failed deploy undoes everything it changed (fake cluster)', () => {
  const COMPOSE = ['services:', '  web:', '    image: mcp/web:2', '    ports: ["8080:80"]', '    env_file: web.env', '    environment:', '      API_TOKEN: tok-super-secret-value', ''].join('\n');
  const OLD_TOKEN = 'old-token-value-xyz';
  const b64 = (t: string) => Buffer.from(t).toString('base64');
  const server = (o: Record<string, any>) => ({ ...o, metadata: { ...o.metadata, namespace: 'mcp-platform', resourceVersion: '5', uid: `uid-${o.metadata.name}`, creationTimestamp: '2023-01-01T00:00:00Z', managedFields: [{ manager: 'kubectl' }] }, status: {} });
  const before = {
    'configmap/web-env': server({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-env', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"LOG_LEVEL":"info","FEATURE":"off"}}' } }, data: { LOG_LEVEL: 'info', FEATURE: 'off' } }),
    'secret/web-env': server({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'web-env' }, data: { API_TOKEN: b64(OLD_TOKEN) } }),
    'deployment/web': server({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'mcp/web:1' }] } } } }),
  };

  function composeSetup() {
    const { home, root } = setup(V6, { 'docker-compose.yml': COMPOSE, 'web.env': 'LOG_LEVEL=debug\nFEATURE=on\n' });
    const fb = fakeBins(root, { kubectl: CLUSTER });
    const deploy = (...extra: string[]) => mcp(['deploy', '--env', 'staging', '--compose', join(root, 'docker-compose.yml'), '--runtime', 'kubernetes', ...extra], { home, env: fb.env });
    return { home, root, fb, deploy };
  }

  it('a rollout failure after a ConfigMap and a Secret changed and a Service was created: old values back, the Service deleted, each object named', async () => {
    const { home, fb, deploy } = composeSetup();
    fb.setState({ objects: structuredClone(before), failRollout: ['web'] });
    const r = await deploy('--json', '--verbose');
    expect(r.exitCode, r.stderr).toBe(1);
    // config first (the restored Deployment's pods must start on the old values), then the rest in reverse order of application
    const undone = ['configmap/web-env (restored)', 'secret/web-env (restored)', 'deployment/web (restored)', 'service/web (new: deleted)'];
    const { error } = r.json();
    expect(error).toMatchObject({ code: 'rollout_failed', exitCode: 1 });
    expect(error.message).toBe(`rollout of deployment/web failed (error: deployment "web" exceeded its progress deadline); rolled back: ${undone.join(', ')}`);
    expect(error.details.rolledBack).toEqual(undone);
    expect(r.stderr).toContain(`rolled back: ${undone.join(', ')}`);

    // what kubectl was asked to do after the failed rollout, in reverse order of application
    const calls = fb.calls('kubectl');
    const undo = calls.slice(calls.findIndex((c) => c.argv[0] === 'rollout') + 1);
    expect(undo.map((c) => c.argv.join(' '))).toEqual([
      'replace -n mcp-platform -f -',
      'replace -n mcp-platform -f -',
      'replace -n mcp-platform -f -',
      'delete -n mcp-platform service/web --ignore-not-found',
    ]);
    expect(undo.slice(0, 3).map((c) => `${JSON.parse(c.stdin!).kind}/${JSON.parse(c.stdin!).metadata.name}`)).toEqual(['ConfigMap/web-env', 'Secret/web-env', 'Deployment/web']);
    const configMap = JSON.parse(undo[0]!.stdin!);
    expect(configMap).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'web-env' }, data: { LOG_LEVEL: 'info', FEATURE: 'off' } });
    expect(configMap.metadata).not.toHaveProperty('resourceVersion');
    expect(configMap).not.toHaveProperty('status');
    expect(JSON.parse(undo[2]!.stdin!).spec.template.spec.containers[0].image).toBe('mcp/web:1');

    // the cluster is as it was
    const world = fb.state<{ objects: Record<string, any> }>().objects;
    expect(Object.keys(world).sort()).toEqual(['configmap/web-env', 'deployment/web', 'secret/web-env']);
    expect(world['configmap/web-env'].data).toEqual({ LOG_LEVEL: 'info', FEATURE: 'off' });
    expect(world['secret/web-env'].data).toEqual({ API_TOKEN: b64(OLD_TOKEN) });
    expect(world['deployment/web'].spec.template.spec.containers[0].image).toBe('mcp/web:1');

    // no Secret value, old or new, plain or base64, in what the user or the log sees
    const log = readFileSync(join(home, 'logs', 'mcp.log'), 'utf8');
    for (const secret of ['tok-super-secret-value', OLD_TOKEN, b64('tok-super-secret-value'), b64(OLD_TOKEN)]) {
      expect(r.stdout).not.toContain(secret);
      expect(r.stderr).not.toContain(secret);
      expect(log).not.toContain(secret);
    }
  });

  it('objects the failed run left unchanged are not touched: a new image that does not come up restores only its Deployment', async () => {
    const { fb, deploy, root } = composeSetup();
    expect((await deploy()).exitCode).toBe(0);
    const first = fb.calls('kubectl').length;
    writeFileSync(join(root, 'docker-compose.yml'), COMPOSE.replace('mcp/web:2', 'mcp/web:3'));
    fb.setState({ ...fb.state(), failRollout: ['web'] });
    const r = await deploy();
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/rolled back: deployment\/web \(restored\)\n/);
    const second = fb.calls('kubectl').slice(first);
    // configmap, secret and service: read before, then left alone
    for (const ref of ['configmap/web-env', 'secret/web-env', 'service/web']) {
      expect(second.filter((c) => c.argv.includes(ref)).map((c) => c.argv[0])).toEqual(['get']);
    }
    const changing = second.filter((c) => ['replace', 'delete'].includes(c.argv[0]!));
    expect(changing.map((c) => `${c.argv[0]} ${JSON.parse(c.stdin!).kind}/${JSON.parse(c.stdin!).metadata.name}`)).toEqual(['replace Deployment/web']);
    expect(fb.state<{ objects: Record<string, any> }>().objects['deployment/web'].spec.template.spec.containers[0].image).toBe('mcp/web:2');
  });

  it('a claim that received data is never deleted: kept and listed, while the new Service and Deployment go', async () => {
    const { home, cfg, root } = setup({ ...V6, services: [{ ...V6.services[1]!, dependsOn: [] }] });
    const fb = fakeBins(root, { kubectl: CLUSTER });
    fb.setState({ failRollout: ['filesystem-mcp'] });
    const r = await mcp(['deploy', '--env', 'staging', '--config', cfg, '--move-data', '--json'], { home, env: fb.env });
    expect(r.exitCode).toBe(1);
    expect(r.json().error.details.rolledBack).toEqual(['deployment/filesystem-mcp (new: deleted)', 'persistentvolumeclaim/filesystem-mcp-filesystem (kept: holds data)', 'service/filesystem-mcp (new: deleted)']);
    expect(r.json().error.details.result.dataMoves).toEqual([expect.objectContaining({ pvc: 'filesystem-mcp-filesystem', status: 'copied' })]);
    const deleted = fb.calls('kubectl').filter((c) => c.argv[2] === 'delete').map((c) => c.argv.slice(5).join(' '));
    expect(deleted).toEqual(['pod mcp-data-filesystem-mcp-filesystem --ignore-not-found --wait=false', 'deployment/filesystem-mcp --ignore-not-found', 'service/filesystem-mcp --ignore-not-found']);
    expect(Object.keys(fb.state<{ objects: Record<string, any> }>().objects)).toEqual(['persistentvolumeclaim/filesystem-mcp-filesystem']);
  });

  it('a failed apply is undone too (not only a rollout): what the run applied before it is put back', async () => {
    const { fb, deploy } = composeSetup();
    fb.setState({ objects: structuredClone(before) });
    // the API server refuses the Deployment
    fb.setRules('kubectl', [{ args: ['apply'], handler: `(argv, state, r, stdin) => JSON.parse(stdin).items[0].kind === 'Deployment' ? { exitCode: 1, stderr: 'The Deployment "web" is invalid: spec.template: Invalid value\\n' } : (${cluster.toString()})(argv, state, r, stdin)` }, ...CLUSTER]);
    const r = await deploy('--json');
    expect(r.exitCode).toBe(1);
    const { error } = r.json();
    expect(error.code).toBe('apply_failed');
    expect(error.message).toMatch(/^kubectl apply of deployment\/web failed \(exit 1\): The Deployment "web" is invalid: spec.template: Invalid value; rolled back: configmap\/web-env \(restored\), secret\/web-env \(restored\), deployment\/web \(restored\), service\/web \(new: deleted\)$/);
    expect(fb.state<{ objects: Record<string, any> }>().objects['configmap/web-env'].data).toEqual({ LOG_LEVEL: 'info', FEATURE: 'off' });
  });
});

describe('mcp deploy: what a failed apply can print, and an interrupted one', () => {
  const COMPOSE = ['services:', '  web:', '    image: mcp/web:2', '    ports: ["8080:80"]', '    env_file: web.env', '    environment:', '      API_TOKEN: tok-super-secret-value', ''].join('\n');
  const b64 = (t: string) => Buffer.from(t).toString('base64');

  it("kubectl's refused patch quotes the Secret (data and last-applied-configuration): no value reaches stdout, stderr or the log", async () => {
    const { home, root } = setup(V6, { 'docker-compose.yml': COMPOSE, 'web.env': 'LOG_LEVEL=debug\n' });
    const fb = fakeBins(root, { kubectl: CLUSTER });
    // what a real kubectl prints when the API server refuses a patch: the whole patch, quoted
    const patchError = (stdin: string) => {
      const secret = JSON.parse(stdin).items.find((o: any) => o.kind === 'Secret');
      const data = secret ? secret.data ?? Object.fromEntries(Object.entries(secret.stringData ?? {}).map(([k, v]) => [k, Buffer.from(String(v)).toString('base64')])) : {};
      const lastApplied = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', data });
      return `error when applying patch:\n${JSON.stringify({ data, metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } } })}\nto:\nResource: "/v1, Resource=secrets", GroupVersionKind: "/v1, Kind=Secret"\nName: "web-env", Namespace: "mcp-platform"\nfor: "STDIN": error when patching "STDIN": admission webhook "policy.example" denied the request\n`;
    };
    fb.setRules('kubectl', [{ args: ['apply'], handler: `(argv, state, r, stdin) => JSON.parse(stdin).items.some((o) => o.kind === 'Secret') ? { exitCode: 1, stderr: (${patchError.toString()})(stdin) } : (${cluster.toString()})(argv, state, r, stdin)` }, ...CLUSTER]);
    const r = await mcp(['deploy', '--env', 'staging', '--compose', join(root, 'docker-compose.yml'), '--runtime', 'kubernetes', '--json', '--verbose'], { home, env: fb.env });
    expect(r.exitCode).toBe(1);
    const { error } = r.json();
    expect(error.code).toBe('apply_failed');
    expect(error.message).toMatch(/failed \(exit 1\): for: "STDIN": error when patching "STDIN": admission webhook "policy\.example" denied the request; rolled back: /);
    const log = readFileSync(join(home, 'logs', 'mcp.log'), 'utf8');
    for (const secret of ['tok-super-secret-value', b64('tok-super-secret-value')]) {
      expect(r.stdout).not.toContain(secret);
      expect(r.stderr).not.toContain(secret);
      expect(log).not.toContain(secret);
    }
  });

  it('an apply interrupted while kubectl runs is undone like a failed one: the half-applied Deployment goes back', async () => {
    const { home, root } = setup(V6, { 'docker-compose.yml': COMPOSE, 'web.env': 'LOG_LEVEL=debug\n' });
    const fb = fakeBins(root, { kubectl: CLUSTER });
    const old = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'mcp-platform', resourceVersion: '5' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'mcp/web:1' }] } } } };
    fb.setState({ objects: { 'deployment/web': old } });
    // the Deployment's apply lands in the cluster, then kubectl hangs (a slow admission webhook)
    const hang = `(argv, state, r, stdin, commit) => {
      const out = (${cluster.toString()})(argv, state, r, stdin);
      if (!JSON.parse(stdin).items.some((o) => o.kind === 'Deployment')) return out;
      commit();
      r('child_process').spawnSync('sleep', ['20']);
      return out;
    }`;
    fb.setRules('kubectl', [{ args: ['apply'], handler: hang }, ...CLUSTER]);
    const { execa } = await import('execa');
    const { MCP } = await import('../helpers/cli.js');
    const child = execa(process.execPath, [MCP, '--home', home, 'deploy', '--env', 'staging', '--compose', join(root, 'docker-compose.yml'), '--runtime', 'kubernetes'], { env: { ...process.env, ...fb.env, CI: 'true', NO_COLOR: '1' }, reject: false });
    // wait until the Deployment's apply has reached the cluster
    for (let i = 0; i < 300; i++) {
      const img = fb.state<{ objects: Record<string, any> }>().objects?.['deployment/web']?.spec?.template?.spec?.containers?.[0]?.image;
      if (img === 'mcp/web:2') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(fb.state<{ objects: Record<string, any> }>().objects['deployment/web'].spec.template.spec.containers[0].image).toBe('mcp/web:2');
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(String(r.stderr)).toMatch(/rolled back: .*deployment\/web \(restored\)/);
    expect(fb.state<{ objects: Record<string, any> }>().objects['deployment/web'].spec.template.spec.containers[0].image).toBe('mcp/web:1');
  }, 60_000);
});

describe('mcp deploy (docker runtime)', () => {
  it('runs docker compose up -d with a compose file written from the config', async () => {
    const { home, cfg, root } = setup({ ...V6, version: '5.0', runtime: { type: 'docker' } });
    const fb = fakeBins(root, { docker: [{ args: ['compose'], stdout: '' }] });
    const r = await mcp(['deploy', '--env', 'staging', '--config', cfg, '--json'], { home, env: fb.env });
    expect(r.exitCode, r.stderr).toBe(0);
    const call = fb.calls('docker')[0]!;
    expect(call.argv.slice(0, 3)).toEqual(['compose', '-f', join(home, 'state/compose/staging.compose.yaml')]);
    expect(call.argv).toContain('up');
    expect(call.argv).toContain('-d');
  });
});
