// Runs notify at start, failure, rollback and completion (the guide's automated-migration.yaml
// `notifications:`, or MCP_SLACK_WEBHOOK_URL / MCP_SMTP_URL for any run), against a local webhook
// receiver and SMTP server; a receiver that is down never fails the migration.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { ROOT, mcp, tempDir } from '../helpers/cli.js';
import { canaryMetrics, quickRollingPlan, type MetricsEndpoint } from '../helpers/canary-metrics.js';

let hook: Server;
let hookUrl = '';
const posts: Array<{ path: string; text: string }> = [];
let metrics: MetricsEndpoint;
let metricsUrl = '';
let smtp: SMTPServer;
let smtpPort = 0;
const mails: Array<{ to: string[]; data: string }> = [];
let closedPort = 0;

const listen = async (s: Server) => {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
};

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', text: JSON.parse(body).text });
      res.end('ok');
    });
  });
  hookUrl = `http://127.0.0.1:${await listen(hook)}/services/T000/B000/secret-hook-token`;
  // canary metrics: half the requests fail
  metrics = await canaryMetrics({ errorRate: 0.5, latencyMs: 12 });
  metricsUrl = metrics.url;
  smtp = new SMTPServer({
    hideSTARTTLS: true,
    authOptional: true,
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (c) => (data += c));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  const probe = createServer();
  closedPort = await listen(probe);
  await new Promise((r) => probe.close(r));
});

afterAll(async () => {
  await new Promise((r) => hook.close(r));
  await metrics.close();
  await new Promise<void>((r) => smtp.close(() => r()));
});

async function exampleHome(): Promise<string> {
  posts.splice(0);
  mails.splice(0);
  const home = tempDir();
  expect((await mcp(['init', '--example'], { home })).exitCode).toBe(0);
  return home;
}

const firstLines = () => posts.splice(0).map((p) => p.text.split('\n')[0]);

describe('notifications from runs', () => {
  it("the guide's automated-migration.yaml: start and completion to the webhook and by mail", async () => {
    const home = await exampleHome();
    // its pre-checks verify the newest backup: the operator takes one first
    expect((await mcp(['backup', 'create'], { home, timeoutMs: 120_000 })).exitCode).toBe(0);
    const plan = join(ROOT, 'test/fixtures/plans/automated-migration.yaml');
    const r = await mcp(['migration', 'execute', '--plan', plan, '--to', '5.0', '--skip', 'performance_baseline'], {
      home,
      env: { MCP_SLACK_WEBHOOK_URL: hookUrl, MCP_SMTP_URL: `smtp://127.0.0.1:${smtpPort}` },
      timeoutMs: 120_000,
    });
    expect(r.exitCode).toBe(0);
    const lines = firstLines();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/started/);
    expect(lines[1]).toMatch(/completed/);
    expect(mails.splice(0).map((m) => m.to)).toEqual([['ops@example.com'], ['ops@example.com']]);
    // the webhook URL is a secret: never printed
    expect(r.stdout + r.stderr).not.toContain('secret-hook-token');
    const log = readFileSync(join(home, 'logs', 'mcp.log'), 'utf8');
    expect(log).toMatch(/"notify"/);
    expect(log).not.toContain('secret-hook-token');
  }, 180_000);

  it('a canary breach: failure, then rollback, to the webhook named by the environment alone', async () => {
    const home = await exampleHome();
    const plan = await quickRollingPlan();
    const r = await mcp(['migration', 'execute', '--plan', plan, '--to', '5.0', '--metrics-url', metricsUrl], { home, env: { MCP_SLACK_WEBHOOK_URL: hookUrl }, timeoutMs: 120_000 });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/rolled-back/);
    const texts = posts.splice(0).map((p) => p.text);
    const lines = texts.map((t) => t.split('\n')[0]);
    expect(lines.map((l) => (/started/.test(l!) ? 'start' : /FAILED/.test(l!) ? 'failure' : /rolled back/.test(l!) ? 'rollback' : l))).toEqual(['start', 'failure', 'rollback']);
    // what failed and why it rolled back, in the messages themselves
    expect(texts[1]).toMatch(/canary core at 10%: rollback condition met: errorRate > 5%/);
    expect(texts[2]).toMatch(/canary core at 10%/);
  }, 180_000);

  it('mcp upgrade notifies too; a receiver that is down is a warning, and the upgrade completes', async () => {
    const home = await exampleHome();
    const r = await mcp(['upgrade', '--to', '5.0'], { home, env: { MCP_SLACK_WEBHOOK_URL: `http://127.0.0.1:${closedPort}/hook` }, timeoutMs: 120_000 });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/completed/);
    expect(r.stderr).toMatch(/notification to slack not sent/);
    const ok = await mcp(['upgrade', '--to', '6.0'], { home, env: { MCP_SLACK_WEBHOOK_URL: hookUrl }, timeoutMs: 120_000 });
    expect(ok.exitCode).toBe(0);
    expect(firstLines()).toEqual([expect.stringMatching(/started/), expect.stringMatching(/completed/)]);
  }, 180_000);
});
