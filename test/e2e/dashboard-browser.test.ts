// The dashboard in headless Chromium (Debian's chromium, driven by playwright-core): open the page with
// the printed URL, watch a real migration (another process) advance, pause and resume it from the
// buttons, and keep a screenshot as an artifact (test/artifacts/dashboard.png, gitignored).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { mcp, ROOT, tempDir } from '../helpers/cli.js';
import { journalTypes, slowPlan, startDashboardBin, startMetrics, startMigration, type RunningDashboard } from '../helpers/dashboard.js';

const CHROMIUM = process.env.MCP_TEST_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test/artifacts');

let home: string;
let dash: RunningDashboard;
let metrics: Awaited<ReturnType<typeof startMetrics>>;
let context: BrowserContext | undefined;
let profile: string | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: the dashboard browser test needs Debian's chromium (apt-get install chromium; .ci/run installs it)`);
  }
  home = join(tempDir('mcp-dash-ui-'), 'home');
  const init = await mcp(['--home', home, 'init', '--example']);
  expect(init.exitCode, init.stderr).toBe(0);
  metrics = await startMetrics();
  dash = await startDashboardBin(home);
  profile = mkdtempSync(join(tmpdir(), 'mcp-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
}, 90_000);

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await dash?.stop();
  await metrics?.close();
});

const done = async (page: Page) => Number(await page.locator('#progress').getAttribute('data-done'));
const runStatus = (page: Page) => page.locator('#run-status');

describe('mcp dashboard in a browser', () => {
  it('watches a migration advance, pauses and resumes it from the page, and keeps a screenshot', async () => {
    const page = context!.pages()[0] ?? (await context!.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${dash.base}/#token=${dash.token}`);
    // the fragment is taken off the address bar once read
    await expect.poll(() => page.url(), { timeout: 10_000 }).toBe(`${dash.base}/`);
    await expect.poll(() => page.locator('#connection').getAttribute('data-state'), { timeout: 15_000 }).toBe('live');
    await expect.poll(() => runStatus(page).getAttribute('data-status')).toBe('none');

    // a migration starts in another process: the page picks the new run up and its steps advance
    const migration = startMigration(home, await slowPlan(10), metrics);
    await expect.poll(() => runStatus(page).getAttribute('data-status'), { timeout: 30_000 }).toBe('running');
    await expect.poll(() => done(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
    const total = Number(await page.locator('#progress').getAttribute('data-total'));
    expect(total).toBe(8);
    // canary measurements against their thresholds
    await expect.poll(() => page.locator('[data-canary="core"] tr[data-metric]').count(), { timeout: 15_000 }).toBe(3);
    expect(await page.locator('[data-canary="core"] tr[data-metric="latency"] td').nth(2).textContent()).toBe('> 500ms');
    // the logs of a selected step
    await page.locator('li[data-step="core.auth-service"]').click();
    await expect.poll(() => page.locator('#log-lines').textContent()).toContain('step.end');

    // pause: the reply is a request; the journal, then the page, say paused
    await page.locator('#btn-pause').click();
    await expect.poll(() => page.locator('#action-status').textContent(), { timeout: 10_000 }).toMatch(/^pause requested/);
    await expect.poll(() => runStatus(page).getAttribute('data-status'), { timeout: 20_000 }).toBe('paused');
    const paused = await migration;
    expect(paused.exitCode, String(paused.stderr)).toBe(0);
    const runId = (await page.locator('#run-id').textContent())!;
    expect(journalTypes(home, runId)).toContain('run.paused');
    const doneAtPause = await done(page);
    expect(doneAtPause).toBeLessThan(total);

    // resume: a new executor continues; steps advance again and the run completes
    await page.locator('#btn-resume').click();
    await expect.poll(() => page.locator('#action-status').textContent(), { timeout: 10_000 }).toMatch(/^resume started/);
    await expect.poll(() => runStatus(page).getAttribute('data-status'), { timeout: 20_000 }).toBe('running');
    await expect.poll(() => done(page), { timeout: 60_000 }).toBeGreaterThan(doneAtPause);
    await expect.poll(() => runStatus(page).getAttribute('data-status'), { timeout: 60_000 }).toBe('completed');
    expect(await done(page)).toBe(total);
    expect(journalTypes(home, runId)).toEqual(expect.arrayContaining(['run.resume', 'run.end']));

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(1000);
    console.log(`dashboard screenshot: ${shot}`);

    // rollback from the page: it asks first; dismissed, nothing happens; accepted, the run is undone
    page.once('dialog', (d) => void d.dismiss());
    await page.locator('#btn-rollback').click();
    await new Promise((r) => setTimeout(r, 500));
    expect(journalTypes(home, runId)).not.toContain('rollback.start');
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await page.locator('#btn-rollback').click();
    await expect.poll(() => page.locator('#action-status').textContent(), { timeout: 10_000 }).toMatch(/^rollback started/);
    expect(asked).toMatch(/roll/i);
    await expect.poll(() => runStatus(page).getAttribute('data-status'), { timeout: 60_000 }).toBe('rolled-back');
    expect(journalTypes(home, runId)).toEqual(expect.arrayContaining(['rollback.start', 'rollback.end']));
    // the CSP lets the page work as it is: no blocked script or style, no error
    expect(errors).toEqual([]);
  }, 180_000);
});
