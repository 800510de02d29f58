// Migration notifications (automated-migration.yaml `notifications:`): a Slack-compatible incoming
// webhook and email over SMTP, sent at start, failure, rollback and completion.
//
// Secrets never live in the config: the webhook URL comes from MCP_SLACK_WEBHOOK_URL and the SMTP
// server (with its credentials) from MCP_SMTP_URL (smtp://user:pass@host:587, smtps://… for TLS).
// The config names only where to post: `notifications: [{slack: "#mcp-migrations"}, {email: "ops@example.com"}]`
// (the guide's list form, also accepted under `automation.notifications`) or `{slack: {channel}, email: {to, from}}`.
//
// A notification is a side effect of a migration, never a condition of it: `notify` never throws,
// bounds every send by a timeout, and returns what happened to each channel for the journal.
import { redactText, registerSecret } from '../redact.js';
import { asObject, asString } from './platform.js';
import { withTimeout } from '../timeout.js';

export const NOTIFY_EVENTS = ['start', 'failure', 'rollback', 'completion'] as const;
export type NotifyKind = (typeof NOTIFY_EVENTS)[number];

export interface NotifyEvent {
  kind: NotifyKind;
  /** e.g. "v5.0 → v6.0" or a plan's name */
  title?: string;
  runId?: string;
  environment?: string;
  from?: string;
  to?: string;
  /** the failing or last step */
  step?: string;
  error?: string;
  durationMs?: number;
  /** free detail lines */
  details?: string[];
}

export interface NotifySettings {
  slack?: { webhookUrl?: string; channel?: string };
  email?: { smtpUrl?: string; to: string[]; from: string };
  timeoutMs: number;
}

export interface ChannelResult {
  channel: 'slack' | 'email';
  ok: boolean;
  skipped?: string;
  error?: string;
  ms?: number;
}

export const ENV_SLACK = 'MCP_SLACK_WEBHOOK_URL';
export const ENV_SMTP = 'MCP_SMTP_URL';
export const ENV_EMAIL_TO = 'MCP_NOTIFY_EMAIL_TO';
export const ENV_EMAIL_FROM = 'MCP_NOTIFY_EMAIL_FROM';

/** Where notifications go, from the config document and the environment. */
export function notifySettings(doc: Record<string, unknown>, env: NodeJS.ProcessEnv): NotifySettings {
  const raw = doc.notifications ?? asObject(doc.automation).notifications;
  let slackChannel: string | undefined;
  let slackListed = false;
  const emailTo: string[] = [];
  let emailFrom: string | undefined;
  const take = (k: string, v: unknown) => {
    if (k === 'slack') {
      slackListed = true;
      slackChannel = asString(v) ?? asString(asObject(v).channel) ?? slackChannel;
    } else if (k === 'email') {
      const o = asObject(v);
      const to = asString(v) ?? o.to;
      for (const a of Array.isArray(to) ? to : [to]) if (asString(a)) emailTo.push(...String(a).split(',').map((s) => s.trim()).filter(Boolean));
      emailFrom = asString(o.from) ?? emailFrom;
    }
  };
  if (Array.isArray(raw)) for (const item of raw) for (const [k, v] of Object.entries(asObject(item))) take(k, v);
  else for (const [k, v] of Object.entries(asObject(raw))) take(k, v);
  for (const a of (env[ENV_EMAIL_TO] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) if (!emailTo.includes(a)) emailTo.push(a);

  const webhookUrl = env[ENV_SLACK] || undefined;
  const smtpUrl = env[ENV_SMTP] || undefined;
  registerSecret(webhookUrl);
  if (smtpUrl) {
    try {
      registerSecret(decodeURIComponent(new URL(smtpUrl).password));
    } catch {
      /* not a URL: nodemailer will say so at send time */
    }
  }
  return {
    slack: webhookUrl || slackListed ? { webhookUrl, channel: slackChannel } : undefined,
    email: smtpUrl || emailTo.length ? { smtpUrl, to: emailTo, from: env[ENV_EMAIL_FROM] || emailFrom || 'mcp-platform@localhost' } : undefined,
    timeoutMs: 5000,
  };
}

const VERB: Record<NotifyKind, string> = { start: 'started', failure: 'FAILED', rollback: 'rolled back', completion: 'completed' };
const ICON: Record<NotifyKind, string> = { start: ':arrow_forward:', failure: ':x:', rollback: ':leftwards_arrow_with_hook:', completion: ':white_check_mark:' };

export function subjectOf(e: NotifyEvent): string {
  const what = e.title ?? (e.from && e.to ? `v${e.from} to v${e.to}` : 'migration');
  return `[MCP${e.environment ? ` ${e.environment}` : ''}] Migration ${what} ${VERB[e.kind]}`;
}

export function bodyLines(e: NotifyEvent): string[] {
  return [
    e.runId ? `Run: ${e.runId}` : '',
    e.from || e.to ? `Versions: ${e.from ?? '?'} → ${e.to ?? '?'}` : '',
    e.environment ? `Environment: ${e.environment}` : '',
    e.step ? `Step: ${e.step}` : '',
    e.error ? `Error: ${e.error}` : '',
    e.durationMs !== undefined ? `Duration: ${Math.round(e.durationMs / 1000)}s` : '',
    ...(e.details ?? []),
    `Time: ${new Date().toISOString()}`,
  ]
    .filter(Boolean)
    .map(redactText);
}

/** Slack's incoming-webhook body; `text` alone is what every Slack-compatible receiver understands. */
export function slackPayload(e: NotifyEvent, channel?: string): Record<string, unknown> {
  const text = `${ICON[e.kind]} ${redactText(subjectOf(e))}\n${bodyLines(e).join('\n')}`;
  return { text, ...(channel ? { channel } : {}), username: 'mcp', event: e.kind };
}

async function sendSlack(s: NonNullable<NotifySettings['slack']>, e: NotifyEvent, timeoutMs: number): Promise<ChannelResult> {
  if (!s.webhookUrl) return { channel: 'slack', ok: false, skipped: `${ENV_SLACK} is not set` };
  const started = Date.now();
  try {
    const url = s.webhookUrl;
    const { res, body } = await withTimeout(timeoutMs, async (signal) => {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(slackPayload(e, s.channel)), signal });
      return { res: r, body: await r.text().catch(() => '') };
    });
    if (!res.ok) return { channel: 'slack', ok: false, error: `webhook answered HTTP ${res.status}${body ? `: ${body.slice(0, 200)}` : ''}`, ms: Date.now() - started };
    return { channel: 'slack', ok: true, ms: Date.now() - started };
  } catch (err) {
    const msg = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : ((err as Error & { cause?: Error }).cause?.message ?? (err as Error).message);
    return { channel: 'slack', ok: false, error: redactText(msg), ms: Date.now() - started };
  }
}

async function sendEmail(s: NonNullable<NotifySettings['email']>, e: NotifyEvent, timeoutMs: number): Promise<ChannelResult> {
  if (!s.smtpUrl) return { channel: 'email', ok: false, skipped: `${ENV_SMTP} is not set` };
  if (!s.to.length) return { channel: 'email', ok: false, skipped: `no recipient (notifications email in the config, or ${ENV_EMAIL_TO})` };
  const started = Date.now();
  try {
    const { default: nodemailer } = await import('nodemailer');
    const transport = nodemailer.createTransport(s.smtpUrl, {
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    } as object);
    try {
      await transport.sendMail({ from: s.from, to: s.to.join(', '), subject: redactText(subjectOf(e)), text: bodyLines(e).join('\n') + '\n' });
    } finally {
      transport.close();
    }
    return { channel: 'email', ok: true, ms: Date.now() - started };
  } catch (err) {
    return { channel: 'email', ok: false, error: redactText((err as Error).message), ms: Date.now() - started };
  }
}

export interface NotifyLogger {
  log(level: 'info' | 'warn', event: string, fields: Record<string, unknown>): void;
}

/**
 * Send one event to every configured channel, in parallel. Never throws: a failed or skipped channel is
 * reported in the result (and logged as a warning) and the caller carries on.
 */
export async function notify(settings: NotifySettings, event: NotifyEvent, log?: NotifyLogger): Promise<ChannelResult[]> {
  const jobs: Array<Promise<ChannelResult>> = [];
  if (settings.slack) jobs.push(sendSlack(settings.slack, event, settings.timeoutMs));
  if (settings.email) jobs.push(sendEmail(settings.email, event, settings.timeoutMs));
  const results = await Promise.all(jobs.map((j) => j.catch((err) => ({ channel: 'slack' as const, ok: false, error: redactText(String((err as Error)?.message ?? err)) }))));
  for (const r of results) {
    try {
      log?.log(r.ok ? 'info' : 'warn', 'notify', { kind: event.kind, ...r });
    } catch {
      /* a log that cannot be written never fails the caller */
    }
  }
  return results;
}
