// `mcp dashboard` over HTTP, against a real home and a real (slow) migration run by another process:
// who may read and act (token, Host), what every response carries (CSP, no cookies), the status shape,
// the event stream, and pause / resume / rollback observed in the executor's journal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { mcp, tempDir } from '../helpers/cli.js';
import { journalTypes, slowPlan, startDashboardBin, startMetrics, startMigration, waitFor, type RunningDashboard } from '../helpers/dashboard.js';

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

let home: string;
let dash: RunningDashboard;
let metrics: Awaited<ReturnType<typeof startMetrics>>;
let exampleSecret: string;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): any;
}

/** One HTTP request; every reply is checked for the headers every response must carry. */
function req(method: string, path: string, opts: { token?: string; host?: string; maxMs?: number } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.token !== undefined) headers.Authorization = `Bearer ${opts.token}`;
    if (opts.host) headers.Host = opts.host;
    const r = request({ host: '127.0.0.1', port: dash.port, method, path, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      const done = () => {
        expect(res.headers['content-security-policy']).toBe(CSP);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.headers['set-cookie']).toBeUndefined();
        if (dash.token) expect(body).not.toContain(dash.token);
        if (exampleSecret) expect(body).not.toContain(exampleSecret);
        resolve({ status: res.statusCode!, headers: res.headers, body, json: () => JSON.parse(body) });
      };
      res.on('end', done);
      if (opts.maxMs) setTimeout(() => { res.destroy(); done(); }, opts.maxMs);
    });
    r.on('error', reject);
    r.end();
  });
}

const status = async () => (await req('GET', '/migration/status', { token: dash.token })).json();

/** Collect the event stream's status documents until stopped. */
function follow(): { events: Array<{ type: string; status?: any }>; stop(): void } {
  const events: Array<{ type: string; status?: any }> = [];
  let buf = '';
  const r = request({ host: '127.0.0.1', port: dash.port, path: '/migration/events', headers: { Authorization: `Bearer ${dash.token}` } }, (res) => {
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    res.on('data', (d) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const chunk = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = chunk.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('\n');
        if (data) events.push(JSON.parse(data));
      }
    });
  });
  r.on('error', () => undefined);
  r.end();
  return { events, stop: () => r.destroy() };
}

beforeAll(async () => {
  home = join(tempDir('mcp-dash-'), 'home');
  const init = await mcp(['--home', home, 'init', '--example']);
  expect(init.exitCode, init.stderr).toBe(0);
  exampleSecret = /token: (\S+)/.exec(readFileSync(join(home, 'config/platform.yaml'), 'utf8'))?.[1] ?? '';
  expect(exampleSecret.length).toBeGreaterThan(8);
  metrics = await startMetrics();
  dash = await startDashboardBin(home);
}, 60_000);

afterAll(async () => {
  await dash?.stop();
  await metrics?.close();
});

describe('mcp dashboard: startup and security', () => {
  it('prints the URL with the token in its fragment and the token to stderr; stdout is one JSON line without it', () => {
    expect(dash.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(dash.stderr()).toContain(`http://127.0.0.1:${dash.port}/#token=${dash.token}`);
    const lines = dash.stdout().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({ url: `http://127.0.0.1:${dash.port}/`, host: '127.0.0.1', port: dash.port });
    expect(dash.stdout()).not.toContain(dash.token);
  });

  it('serves the page, its script and stylesheet without a token, with no inline script', async () => {
    const page = await req('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<script src="/app.js"');
    expect(page.body).not.toMatch(/<script>(?!<\/script>)|<style>|style="|onclick=/);
    expect((await req('GET', '/app.js')).headers['content-type']).toMatch(/^text\/javascript/);
    expect((await req('GET', '/app.css')).headers['content-type']).toMatch(/^text\/css/);
  });

  it('answers 401 on status, stream and control without the token or with a wrong one', async () => {
    for (const [method, path] of [['GET', '/migration/status'], ['GET', '/migration/events'], ['POST', '/migration/control/pause'], ['POST', '/migration/control/resume'], ['POST', '/migration/control/rollback'], ['POST', '/migration/control/nonsense']]) {
      for (const token of [undefined, 'wrong', dash.token.slice(0, -1), dash.token + 'x']) {
        const r = await req(method!, path!, { token });
        expect(r.status, `${method} ${path} with ${token === undefined ? 'no' : 'a wrong'} token`).toBe(401);
        expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    }
  });

  it('refuses a Host header that is not its own (DNS rebinding), even with the token', async () => {
    for (const host of ['evil.example', `evil.example:${dash.port}`, `localhost.evil.example:${dash.port}`]) {
      expect((await req('GET', '/', { host })).status).toBe(421);
      expect((await req('GET', '/migration/status', { host, token: dash.token })).status).toBe(421);
    }
    expect((await req('GET', '/', { host: `localhost:${dash.port}` })).status).toBe(200);
  });

  it('400 on an unknown action naming the valid ones; 404 on an unknown route; 405 on a wrong method', async () => {
    const bad = await req('POST', '/migration/control/complete', { token: dash.token });
    expect(bad.status).toBe(400);
    expect(bad.json().error).toMatch(/pause.*resume.*rollback/);
    expect((await req('GET', '/migration/nothing', { token: dash.token })).status).toBe(404);
    expect((await req('GET', '/migration/control/pause', { token: dash.token })).status).toBe(405);
    expect((await req('POST', '/migration/status', { token: dash.token })).status).toBe(405);
    expect((await req('DELETE', '/', {})).status).toBe(405);
  });

  it('without a run: status is 404 with a hint, and the stream says so', async () => {
    const r = await req('GET', '/migration/status', { token: dash.token });
    expect(r.status).toBe(404);
    expect(r.json().hint).toContain('mcp upgrade --to 6.0');
    const s = follow();
    await waitFor('the first stream event', () => s.events.length > 0, 10_000);
    s.stop();
    expect(s.events[0]).toMatchObject({ type: 'none' });
  });

  it('MCP_DASHBOARD_TOKEN is used as the token and never printed', async () => {
    const own = 'env-token-' + 'x'.repeat(30);
    const other = await startDashboardBin(home, { MCP_DASHBOARD_TOKEN: own });
    try {
      expect(other.stderr()).not.toContain(own);
      expect(other.stdout()).not.toContain(own);
      const ok = await fetch(`${other.base}/migration/status`, { headers: { Authorization: `Bearer ${own}` } });
      expect(ok.status).toBe(404); // authorized; no run yet
      const no = await fetch(`${other.base}/migration/status`, { headers: { Authorization: `Bearer ${dash.token}` } });
      expect(no.status).toBe(401);
    } finally {
      expect(await other.stop()).toBe(0);
    }
  });
});

describe('mcp dashboard: a migration running in another process', () => {
  let runId = '';

  it('shows the running migration in the guide\'s shape and pauses it: run.paused in the journal', async () => {
    const plan = await slowPlan(8);
    const migration = startMigration(home, plan, metrics);
    const s = follow();
    try {
      // the first canary hold: five steps done, the executor holding and measuring — and the event stream has
      // delivered the running state too (under load it connects late: pausing before would leave it nothing to show)
      const doc = await waitFor('the canary hold of the running migration, on the status endpoint and the stream', async () => {
        const d = await status();
        const streamed = s.events.some((e) => e.type === 'status' && e.status.status === 'running');
        return d.status === 'running' && d.measurements?.length > 0 && streamed && d;
      }, 60_000);
      runId = doc.runId;
      expect(doc).toMatchObject({ currentVersion: '4.2', stepsTotal: 8 });
      expect(doc.progress).toBe(Math.floor((doc.stepsDone / doc.stepsTotal) * 100));
      expect(doc.steps).toHaveLength(8);
      for (const st of doc.steps) {
        expect(typeof st.name).toBe('string');
        expect(['pending', 'running', 'done']).toContain(st.status);
        expect(Array.isArray(st.logs)).toBe(true);
        if (st.status === 'done') {
          expect(Date.parse(st.endTime)).toBeGreaterThanOrEqual(Date.parse(st.startTime));
          expect(st.logs.join('\n')).toContain('step.end');
        } else expect(st.endTime).toBeNull();
      }
      expect(doc.measurements[0].checks.map((c: { metric: string }) => c.metric)).toEqual(['errorRate', 'latency', 'healthCheck']);

      const pause = await req('POST', '/migration/control/pause', { token: dash.token });
      expect(pause.status).toBe(202);
      expect(pause.json()).toMatchObject({ action: 'pause', status: 'requested', runId });

      const done = await migration;
      expect(done.exitCode, String(done.stderr)).toBe(0);
      expect(journalTypes(home, runId)).toContain('run.paused');
      expect((await status()).status).toBe('paused');
      await waitFor('the stream to show paused', () => s.events.some((e) => e.type === 'status' && e.status.status === 'paused'), 10_000);
      expect(s.events.some((e) => e.type === 'status' && e.status.status === 'running')).toBe(true);
    } finally {
      s.stop();
    }
  }, 90_000);

  it('pause of a run that is not running is refused (409), nothing written', async () => {
    const r = await req('POST', '/migration/control/pause', { token: dash.token });
    expect(r.status).toBe(409);
    expect(r.json()).toMatchObject({ action: 'pause', status: 'refused' });
  });

  it('resume starts a new executor that continues from the journal to the end: run.resume, then run.end', async () => {
    const before = journalTypes(home, runId).length;
    const r = await req('POST', '/migration/control/resume', { token: dash.token });
    expect(r.status).toBe(202);
    expect(r.json()).toMatchObject({ action: 'resume', status: 'started', runId });
    expect(r.json().pid).toBeGreaterThan(0);
    // not done yet: the reply was about starting it
    expect(journalTypes(home, runId).slice(before)).not.toContain('run.end');
    const end = await waitFor('the resumed run to complete', async () => {
      const d = await status();
      return d.status === 'completed' && d;
    }, 90_000, 500);
    expect(end.stepsDone).toBe(8);
    expect(end.progress).toBe(100);
    // a phase's time includes its canary hold (8 s here), not only its steps' milliseconds
    for (const name of ['core', 'mcp-services']) {
      const ph = end.phases.find((p: { name: string }) => p.name === name);
      expect(Date.parse(ph.endTime) - Date.parse(ph.startTime)).toBeGreaterThanOrEqual(8000);
    }
    const types = journalTypes(home, runId);
    expect(types.lastIndexOf('run.end')).toBeGreaterThan(types.indexOf('run.resume'));
    expect(types.indexOf('run.resume')).toBeGreaterThan(types.indexOf('run.paused'));
  }, 120_000);

  it('rollback of the completed run starts it and the journal ends rolled back', async () => {
    const r = await req('POST', '/migration/control/rollback', { token: dash.token });
    expect(r.status).toBe(202);
    expect(r.json()).toMatchObject({ action: 'rollback', status: 'started', runId });
    const d = await waitFor('the rollback to finish', async () => {
      const x = await status();
      return x.status === 'rolled-back' && x;
    }, 60_000, 500);
    expect(d.steps.every((s: { status: string }) => s.status === 'undone')).toBe(true);
    const types = journalTypes(home, runId);
    expect(types.indexOf('rollback.end')).toBeGreaterThan(types.indexOf('rollback.start'));
    const again = await req('POST', '/migration/control/rollback', { token: dash.token });
    expect(again.status).toBe(409);
  }, 90_000);

  it('rollback during a running migration goes through its executor: run.aborted, then rolled back', async () => {
    const migration = startMigration(home, await slowPlan(8), metrics);
    const doc = await waitFor('a second migration holding its canary', async () => {
      const d = await status();
      return d.runId !== runId && d.status === 'running' && d.measurements?.length > 0 && d;
    }, 60_000);
    const r = await req('POST', '/migration/control/rollback', { token: dash.token });
    expect(r.status).toBe(202);
    expect(r.json()).toMatchObject({ action: 'rollback', status: 'requested', runId: doc.runId });
    await migration;
    const types = journalTypes(home, doc.runId);
    expect(types).toContain('run.aborted');
    expect(types.indexOf('rollback.end')).toBeGreaterThan(types.indexOf('run.aborted'));
    expect((await status()).status).toBe('rolled-back');
    expect((await req('POST', '/migration/control/%E0%A4%A', { token: dash.token })).status).toBe(400);
  }, 90_000);

  it('stops cleanly on SIGTERM with exit 0', async () => {
    expect(await dash.stop()).toBe(0);
  });
});
