// Stateful fakes of `docker compose` and `kubectl` (on top of fakebin's handler rules): containers and
// Deployments that really start, stop and disappear one service at a time, so status tells the truth.
import type { FakeRule } from './fakebin.js';

/** docker compose -p P -f FILE up|stop|kill|rm|ps …: services are read from FILE (the generated compose file). */
export const DOCKER_COMPOSE: FakeRule[] = [
  {
    args: ['compose'],
    handler: String((argv: string[], state: any, require: any) => {
      const fs = require('fs');
      const fi = argv.indexOf('-f');
      const project = argv[argv.indexOf('-p') + 1];
      if (fi < 0 || !fs.existsSync(argv[fi + 1])) return { stderr: 'no compose file\n', exitCode: 14 };
      const text: string = fs.readFileSync(argv[fi + 1], 'utf8');
      const images: Record<string, string> = {};
      let inServices = false;
      let cur = '';
      for (const l of text.split('\n')) {
        if (/^services:/.test(l)) {
          inServices = true;
          continue;
        }
        if (inServices && /^\S/.test(l)) inServices = false;
        const m = inServices && l.match(/^ {2}([^\s:]+):\s*$/);
        if (m) {
          cur = m[1];
          images[cur] = '';
        }
        const im = inServices && cur && l.match(/^ {4}image: (.*)$/);
        if (im) images[cur] = im[1].replace(/^'|'$/g, '');
      }
      const names = Object.keys(images);
      const cmd = argv[fi + 2];
      const rest = argv.slice(fi + 3);
      const targets = rest.filter((a, i) => !a.startsWith('-') && rest[i - 1] !== '--format' && rest[i - 1] !== '-t');
      for (const t of targets) if (!names.includes(t)) return { stderr: `no such service: ${t}\n`, exitCode: 1 };
      const sel = targets.length ? targets : names;
      const c = (state.containers ??= {});
      if (cmd === 'up') {
        for (const n of sel) c[n] = { State: 'running', Image: images[n] };
        return { stderr: sel.map((n) => ` Container ${project}-${n}-1  Started\n`).join('') };
      }
      if (cmd === 'stop' || cmd === 'kill') {
        for (const n of sel) if (c[n]) c[n].State = 'exited';
        return {};
      }
      if (cmd === 'rm') {
        for (const n of sel) delete c[n];
        return {};
      }
      if (cmd === 'ps') {
        const lines = Object.entries(c).map(([n, x]: [string, any]) =>
          JSON.stringify({ Service: n, Name: `${project}-${n}-1`, Image: x.Image, State: x.State, Status: x.State === 'running' ? 'Up 2 minutes' : 'Exited (0) 5 seconds ago', Health: '' }),
        );
        return { stdout: lines.join('\n') + (lines.length ? '\n' : '') };
      }
      return { stderr: `unexpected compose command ${cmd}\n`, exitCode: 97 };
    }),
  },
];

/** kubectl --namespace=N [--context=C] get deployments -o json | scale | apply -f | set image | rollout restart | delete pod. */
export const KUBECTL: FakeRule[] = [
  {
    args: [],
    handler: String((argv: string[], state: any) => {
      const scope = argv.filter((x) => x.startsWith('--namespace=') || x.startsWith('--context='));
      const a = argv.filter((x) => !scope.includes(x));
      (state.scopes ??= []).push(scope.join(' '));
      const d = (state.deployments ??= {});
      const notFound = (n: string) => ({ stderr: `Error from server (NotFound): deployments.apps "${n}" not found\n`, exitCode: 1 });
      if (a[0] === 'get' && a[1] === 'deployments') {
        const items = Object.entries(d).map(([n, x]: [string, any]) => ({
          metadata: { name: n },
          spec: { replicas: x.replicas, template: { spec: { containers: [{ image: x.image }] } } },
          status: { replicas: x.replicas, readyReplicas: x.replicas },
        }));
        return { stdout: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) };
      }
      if (a[0] === 'scale') {
        const n = a[1].replace('deployment/', '');
        if (!d[n]) return notFound(n);
        d[n].replicas = Number(a[2].split('=')[1]);
        return { stdout: `deployment.apps/${n} scaled\n` };
      }
      if (a[0] === 'apply') {
        (state.applied ??= []).push(a[2]);
        return { stdout: 'applied\n' };
      }
      if (a[0] === 'set' && a[1] === 'image') {
        const n = a[2].replace('deployment/', '');
        if (!d[n]) return notFound(n);
        d[n].image = a[3].split('=')[1];
        return { stdout: `deployment.apps/${n} image updated\n` };
      }
      if (a[0] === 'rollout' && a[1] === 'restart') {
        const n = a[2].replace('deployment/', '');
        if (!d[n]) return notFound(n);
        d[n].restarts = (d[n].restarts ?? 0) + 1;
        return { stdout: `deployment.apps/${n} restarted\n` };
      }
      if (a[0] === 'delete' && a[1] === 'pod') return { stdout: '' };
      return { stderr: `unexpected call: kubectl ${argv.join(' ')}\n`, exitCode: 97 };
    }),
  },
];
