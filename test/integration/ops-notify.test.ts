// Notifications against real local servers: an HTTP receiver for the Slack-compatible webhook and an
// SMTP server (smtp-server), both on 127.0.0.1 and started by the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { notify, notifySettings, slackPayload, type NotifyEvent } from '../../src/ops/notify.js';

interface Mail { from: string; to: string[]; data: string; user?: string }

let http: Server;
let httpPort = 0;
let status = 200;
let delayMs = 0;
const posts: Array<{ path: string; body: any; type?: string }> = [];
let smtp: SMTPServer;
let smtpPort = 0;
const mails: Mail[] = [];

let closedPort = 0;
beforeAll(async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  http = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', body: JSON.parse(body || 'null'), type: req.headers['content-type'] });
      setTimeout(() => { res.statusCode = status; res.end(status === 200 ? 'ok' : 'invalid_payload'); }, delayMs);
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  httpPort = (http.address() as AddressInfo).port;

  smtp = new SMTPServer({
    hideSTARTTLS: true,
    authOptional: true,
    allowInsecureAuth: true,
    onAuth(auth, _s, cb) {
      if (auth.username === 'ops' && auth.password === 's3cret-pass') cb(null, { user: 'ops' });
      else cb(new Error('bad credentials'));
    },
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (c) => (data += c));
      stream.on('end', () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data, user: session.user as string | undefined });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((r) => http.close(r));
  await new Promise<void>((r) => smtp.close(() => r()));
});

const doc = { notifications: [{ slack: '#mcp-migrations' }, { email: 'ops@example.com' }] };
const event: NotifyEvent = { kind: 'failure', from: '5.0', to: '6.0', environment: 'production', runId: 'run-42', step: 'migrate-data', error: 'connection to postgres://app:hunter22@db/x refused' };

describe('notifications', () => {
  it('reads the guide\'s automated-migration.yaml list, with secrets only from the environment', () => {
    const s = notifySettings({ automation: doc }, { MCP_SLACK_WEBHOOK_URL: 'http://127.0.0.1:1/hook', MCP_SMTP_URL: 'smtp://u:pw@127.0.0.1:25' });
    expect(s.slack).toEqual({ webhookUrl: 'http://127.0.0.1:1/hook', channel: '#mcp-migrations' });
    expect(s.email).toMatchObject({ smtpUrl: 'smtp://u:pw@127.0.0.1:25', to: ['ops@example.com'] });
    expect(notifySettings({}, {})).toMatchObject({ slack: undefined, email: undefined });
  });

  it('posts a Slack-compatible payload and mails over SMTP, one event each', async () => {
    posts.length = 0;
    mails.length = 0;
    const s = notifySettings(doc, {
      MCP_SLACK_WEBHOOK_URL: `http://127.0.0.1:${httpPort}/services/T000/B000/XXXX`,
      MCP_SMTP_URL: `smtp://ops:s3cret-pass@127.0.0.1:${smtpPort}`,
      MCP_NOTIFY_EMAIL_FROM: 'mcp@example.com',
    });
    const logged: any[] = [];
    const results = await notify(s, event, { log: (_l, ev, f) => logged.push({ ev, ...f }) });
    expect(results).toEqual([expect.objectContaining({ channel: 'slack', ok: true }), expect.objectContaining({ channel: 'email', ok: true })]);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.path).toBe('/services/T000/B000/XXXX');
    expect(posts[0]!.type).toBe('application/json');
    expect(posts[0]!.body).toMatchObject({ channel: '#mcp-migrations', event: 'failure' });
    expect(posts[0]!.body.text).toContain('Migration v5.0 to v6.0 FAILED');
    expect(posts[0]!.body.text).toContain('Step: migrate-data');
    expect(posts[0]!.body.text).not.toContain('hunter22');
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ from: 'mcp@example.com', to: ['ops@example.com'], user: 'ops' });
    expect(mails[0]!.data).toMatch(/^Subject: \[MCP production\] Migration v5\.0 to v6\.0 FAILED\r?$/m);
    expect(mails[0]!.data).toContain('Run: run-42');
    expect(mails[0]!.data).not.toContain('hunter22');
    expect(logged.map((l) => [l.ev, l.channel, l.ok])).toEqual([['notify', 'slack', true], ['notify', 'email', true]]);
  });

  it('sends every kind: start, failure, rollback, completion', async () => {
    posts.length = 0;
    const s = notifySettings({}, { MCP_SLACK_WEBHOOK_URL: `http://127.0.0.1:${httpPort}/hook` });
    for (const kind of ['start', 'failure', 'rollback', 'completion'] as const) await notify(s, { kind, from: '5.0', to: '6.0' });
    expect(posts.map((p) => p.body.event)).toEqual(['start', 'failure', 'rollback', 'completion']);
    expect(posts.map((p) => p.body.text.split('\n')[0])).toEqual([
      ':arrow_forward: [MCP] Migration v5.0 to v6.0 started',
      ':x: [MCP] Migration v5.0 to v6.0 FAILED',
      ':leftwards_arrow_with_hook: [MCP] Migration v5.0 to v6.0 rolled back',
      ':white_check_mark: [MCP] Migration v5.0 to v6.0 completed',
    ]);
  });

  it('a failing, unreachable or slow receiver never throws: each channel reports what happened', async () => {
    status = 500;
    let r = await notify(notifySettings({}, { MCP_SLACK_WEBHOOK_URL: `http://127.0.0.1:${httpPort}/hook` }), event);
    expect(r).toEqual([expect.objectContaining({ channel: 'slack', ok: false, error: 'webhook answered HTTP 500: invalid_payload' })]);
    status = 200;

    r = await notify(notifySettings(doc, { MCP_SLACK_WEBHOOK_URL: `http://127.0.0.1:${closedPort}/hook`, MCP_SMTP_URL: `smtp://127.0.0.1:${closedPort}` }), event);
    expect(r.map((x) => [x.channel, x.ok])).toEqual([['slack', false], ['email', false]]);
    expect(r[0]!.error).toMatch(/ECONNREFUSED|refused/i);

    r = await notify(notifySettings(doc, { MCP_SMTP_URL: `smtp://ops:wrong-pass@127.0.0.1:${smtpPort}` }), event);
    expect(r.find((x) => x.channel === 'email')).toMatchObject({ ok: false });
    expect(r.find((x) => x.channel === 'email')!.error).not.toContain('wrong-pass');
    expect(r.find((x) => x.channel === 'slack')).toMatchObject({ ok: false, skipped: 'MCP_SLACK_WEBHOOK_URL is not set' });

    delayMs = 1500;
    const s = notifySettings({}, { MCP_SLACK_WEBHOOK_URL: `http://127.0.0.1:${httpPort}/hook` });
    s.timeoutMs = 300;
    const t0 = Date.now();
    r = await notify(s, event);
    delayMs = 0;
    expect(Date.now() - t0).toBeLessThan(1400);
    expect(r[0]).toMatchObject({ ok: false, error: 'no answer within 300 ms' });
  });

  it('the payload carries only text fields Slack understands', () => {
    expect(Object.keys(slackPayload({ kind: 'start' }, '#c'))).toEqual(['text', 'channel', 'username', 'event']);
  });
});
