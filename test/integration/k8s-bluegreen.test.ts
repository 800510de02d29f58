// Blue/green on Kubernetes with the built binary against a simulated cluster behind a fake kubectl (state kept
// between calls): the new color's Deployments beside the old ones, its pod probed over MCP through
// `kubectl port-forward` (a real MCP server stands in for the pod), the Services' selectors patched to it, the
// gates held, and on a breach the selectors put back exactly as they were and the new color removed.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, mcp, mcpMigrate, tempDir } from '../helpers/cli.js';
import { fakeBins, type FakeRule } from '../helpers/fakebin.js';
import { canaryMetrics } from '../helpers/canary-metrics.js';

/**
 * The cluster: `state.objects` maps kind/name to the live object. get, apply (a List), patch (JSON patch of
 * /spec/selector), delete, rollout status; a Deployment is ready once applied (status.readyReplicas).
 */
function cluster(argv: string[], state: any, _require: unknown, stdin?: string) {
  const a = argv[0] === '--context' ? argv.slice(2) : argv;
  state.objects ??= {};
  const refOf = (o: any) => `${o.kind.toLowerCase()}/${o.metadata.name}`;
  const GROUP: Record<string, string> = { deployment: '.apps' };
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
      const had = Boolean(state.objects[refOf(o)]);
      state.objects[refOf(o)] = { ...o, status: o.kind === 'Deployment' ? { replicas: o.spec.replicas, readyReplicas: o.spec.replicas } : {} };
      out.push(`${o.kind.toLowerCase()}${GROUP[o.kind.toLowerCase()] ?? ''}/${o.metadata.name} ${had ? 'configured' : 'created'}`);
    }
    return { stdout: out.join('\n') + '\n' };
  }
  if (verb === 'patch') {
    const o = state.objects[a[3]!];
    if (!o) return { exitCode: 1, stderr: `Error from server (NotFound): ${a[3]} not found\n` };
    for (const op of JSON.parse(a[a.indexOf('-p') + 1]!)) if (op.op === 'replace' && op.path === '/spec/selector') o.spec.selector = op.value;
    (state.patches ??= []).push(a[3]);
    return { stdout: `${a[3]} patched\n` };
  }
  if (verb === 'delete') {
    const existed = Boolean(state.objects[a[3]!]);
    delete state.objects[a[3]!];
    return { stdout: existed ? `${a[3]} deleted\n` : '' };
  }
  if (verb === 'rollout' && a[1] === 'status') return { stdout: 'successfully rolled out\n' };
  return { exitCode: 97, stderr: `unexpected call: kubectl ${argv.join(' ')}\n` };
}

const KUBECTL: FakeRule[] = [
  // the pod, reached from here: a real MCP server standing in, printing what kubectl port-forward prints
  { args: ['--context', 'prod-ctx', 'port-forward'], exec: [process.execPath, join(ROOT, 'test/fixtures/mcp-server.mjs'), '--http', '--port', '0', '--forwarding', '--exit-with-parent'] },
  { args: [], handler: cluster.toString() },
];

async function productionOnKubernetes() {
  const root = tempDir('mcp-k8s-bg-');
  const home = join(root, 'production');
  expect((await mcp(['init', '--version', '6.0', '--env', 'production'], { home })).exitCode).toBe(0);
  const file = join(home, 'config', 'platform.json');
  const cfg = JSON.parse(readFileSync(file, 'utf8'));
  const deployment = (replicas: number) => ({ type: 'kubernetes', replicas, resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } } });
  cfg.runtime = { type: 'kubernetes', namespace: 'mcp-platform', context: 'prod-ctx' };
  cfg.services = [
    { name: 'postgres', type: 'infrastructure', image: 'postgres:16', ports: ['5432:5432'], deployment: deployment(1) },
    { name: 'filesystem-mcp', type: 'mcp', image: 'mcp-platform/filesystem:6.0', ports: ['3001:3000'], dependsOn: ['postgres'], deployment: deployment(2) },
  ];
  writeFileSync(file, JSON.stringify(cfg, null, 2), { mode: 0o600 });
  const fb = fakeBins(root, { kubectl: KUBECTL });
  // blue: what `mcp deploy` put in the cluster
  const d = await mcp(['deploy', '--env', 'production', '--json'], { home, env: fb.env });
  expect(d.exitCode, d.stdout + d.stderr).toBe(0);
  return { root, home, fb };
}

function planFile(root: string, metricsUrl: string, windowMs = 1500): string {
  const plan = {
    apiVersion: 'mcp.plan/v1',
    name: 'blue/green of production',
    kind: 'custom',
    phases: [
      {
        name: 'deployment',
        strategy: 'blue_green',
        steps: [
          { id: 'deployment.deploy', kind: 'bluegreen.deploy', title: 'deploy the new color', params: {} },
          { id: 'deployment.switch', kind: 'traffic.switch', title: 'switch traffic', params: { deploy: 'deployment.deploy' } },
          { id: 'deployment.monitor', kind: 'traffic.monitor', title: 'hold the gates', params: { switch: 'deployment.switch', windowMs, metricsUrl } },
        ],
      },
    ],
    rollback: { automatic: true, conditions: [{ metric: 'errorRate', op: '>', threshold: 0.05, text: 'errorRate > 5%' }, { metric: 'healthCheck', text: 'healthCheck failing' }], noData: 'fail' },
  };
  const f = join(root, 'bluegreen-plan.json');
  writeFileSync(f, JSON.stringify(plan));
  return f;
}

const events = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l));

describe('blue/green on Kubernetes (simulated cluster behind a fake kubectl)', () => {
  it('green beside blue, probed over MCP through port-forward, the Service switched to it by selector; retire-blue asks, then removes blue', async () => {
    const { root, home, fb } = await productionOnKubernetes();
    const blueSelector = fb.state<any>().objects['service/filesystem-mcp'].spec.selector;
    const m = await canaryMetrics({ errorRate: 0.01, latencyMs: 40 });
    try {
      const r = await mcp(['migration', 'execute', '--plan', planFile(root, m.url), '--json'], { home, env: fb.env });
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      const ev = events(r.stdout);
      const deployed = ev.find((e) => e.type === 'step.end' && e.step === 'deployment.deploy').result;
      expect(deployed).toMatchObject({ color: 'green', live: 'blue', services: ['filesystem-mcp'], workloads: ['filesystem-mcp-green'] });
      expect(deployed.health[0]).toMatchObject({ service: 'filesystem-mcp', ok: true });
      expect(deployed.health[0].detail).toMatch(/^MCP .*fixture-filesystem .*: 3 tools \(deployment\/filesystem-mcp-green, port 3000\)$/);
      const objects = fb.state<any>().objects;
      // both colors run; green's pods carry the color in their labels and in the Deployment's selector
      expect(objects['deployment/filesystem-mcp']).toBeTruthy();
      const green = objects['deployment/filesystem-mcp-green'];
      expect(green.spec.selector.matchLabels['mcp-platform.io/color']).toBe('green');
      expect(green.spec.template.metadata.labels['mcp-platform.io/color']).toBe('green');
      expect(green.spec.replicas).toBe(2);
      // until the switch the Service could not pick green's pods, and blue's Deployment does not select them either
      const selects = (sel: Record<string, string>, labels: Record<string, string>) => Object.entries(sel).every(([k, v]) => labels[k] === v);
      expect(selects(blueSelector, green.spec.template.metadata.labels)).toBe(false);
      expect(selects(objects['deployment/filesystem-mcp'].spec.selector.matchLabels, green.spec.template.metadata.labels)).toBe(false);
      // infrastructure is shared: no postgres-green
      expect(objects['deployment/postgres-green']).toBeUndefined();
      // the Service now selects green's pods, and not blue's
      const now = objects['service/filesystem-mcp'].spec.selector;
      expect(now).toEqual({ ...Object.fromEntries(Object.entries(blueSelector as Record<string, string>).map(([k, v]) => [k, `${v}-green`])), 'mcp-platform.io/color': 'green' });
      expect(selects(now, green.spec.template.metadata.labels)).toBe(true);
      expect(selects(now, objects['deployment/filesystem-mcp'].spec.template.metadata.labels)).toBe(false);
      expect(fb.calls('kubectl').some((c) => c.argv.join(' ') === '--context prod-ctx port-forward -n mcp-platform deployment/filesystem-mcp-green :3000')).toBe(true);
      const mon = ev.find((e) => e.type === 'step.end' && e.step === 'deployment.monitor').result;
      expect(mon.last.checks.map((c: { condition: string; value: string; breached: boolean }) => [c.condition, c.value, c.breached])).toEqual([
        ['errorRate > 5%', '1.00%', false],
        ['healthCheck failing', 'passing (1/1)', false],
      ]);

      // the next promotion would deploy blue again, over the blue kept for this one's rollback: refused, nothing touched
      const kept = JSON.stringify(fb.state<any>().objects);
      const again = await mcp(['migration', 'execute', '--plan', planFile(root, m.url), '--json'], { home, env: fb.env });
      expect(again.exitCode).not.toBe(0);
      expect(JSON.stringify(events(again.stdout).pop())).toMatch(/the blue deployment is still kept until .* retire it first \(mcp environments retire-blue/);
      expect(JSON.stringify(fb.state<any>().objects)).toBe(kept);

      // retiring blue cannot be undone: without a terminal it needs --yes (exit 2), and changes nothing
      const dry = await mcp(['environments', 'retire-blue', '--dry-run', '--json'], { home, env: fb.env });
      expect(dry.json()).toMatchObject({ dryRun: true, retired: 'blue', active: 'green', workloads: ['filesystem-mcp'] });
      const asked = await mcp(['environments', 'retire-blue'], { home, env: fb.env });
      expect(asked.exitCode).toBe(2);
      expect(asked.stderr).toMatch(/--yes/);
      expect(fb.state<any>().objects['deployment/filesystem-mcp']).toBeTruthy();
      const done = await mcp(['environments', 'retire-blue', '--yes', '--json'], { home, env: fb.env });
      expect(done.exitCode, done.stderr).toBe(0);
      expect(fb.state<any>().objects['deployment/filesystem-mcp']).toBeUndefined();
      expect(fb.state<any>().objects['deployment/filesystem-mcp-green']).toBeTruthy();
      // with blue gone, a rollback has nothing to switch back to, and says so
      const rb = await mcpMigrate(['rollback', '--run', ev[0].runId, '--json'], { home, env: fb.env });
      expect(rb.exitCode).not.toBe(0);
      expect(rb.stdout + rb.stderr).toMatch(/the blue deployment traffic came from was retired \(mcp environments retire-blue\): there is nothing to switch back to; green keeps serving/);
      expect(fb.state<any>().objects['service/filesystem-mcp'].spec.selector['mcp-platform.io/color']).toBe('green');
      expect(JSON.parse(readFileSync(join(home, 'state', 'bluegreen.json'), 'utf8'))).toMatchObject({ active: 'green', colors: { green: { workloads: ['filesystem-mcp-green'] } } });
    } finally {
      await m.close();
    }
  }, 180_000);

  it('a breached gate switches the Service back to its exact selector and removes green; blue never stopped serving', async () => {
    const { root, home, fb } = await productionOnKubernetes();
    const before = JSON.stringify(fb.state<any>().objects);
    const m = await canaryMetrics({ errorRate: 0.3, latencyMs: 40 });
    try {
      const r = await mcp(['migration', 'execute', '--plan', planFile(root, m.url), '--json'], { home, env: fb.env });
      expect(r.exitCode).not.toBe(0);
      expect(JSON.stringify(events(r.stdout).pop())).toMatch(/green deployment breached errorRate > 5% \(measured 30\.00%\)/);
      const st = fb.state<any>();
      // the selector was switched and then put back; the cluster is as it was, object for object
      expect(st.patches).toEqual(['service/filesystem-mcp', 'service/filesystem-mcp']);
      expect(JSON.stringify(st.objects)).toBe(before);
      expect(existsSync(join(home, 'state', 'bluegreen.json'))).toBe(false);
    } finally {
      await m.close();
    }
  }, 180_000);
});
