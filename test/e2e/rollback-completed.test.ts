// Rolling back a completed upgrade: its last rollback point is its last step, so "to the last rollback
// point" would undo nothing. The CLI refuses that (exit 3, pointing at --to); the dashboard's Rollback
// button goes back to the version the run started from.
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { mcp, mcpMigrate, tempDir } from '../helpers/cli.js';
import { journalTypes, startDashboardBin, waitFor, type RunningDashboard } from '../helpers/dashboard.js';

let dash: RunningDashboard | undefined;
afterAll(async () => {
  await dash?.stop();
});

describe('rollback of a completed upgrade', () => {
  it('the CLI refuses a rollback that undoes nothing; the dashboard takes the installation back to 4.2', async () => {
    const home = tempDir();
    expect((await mcp(['init', '--example'], { home })).exitCode).toBe(0);
    expect((await mcp(['upgrade', '--to', '6.0'], { home, timeoutMs: 120_000 })).exitCode).toBe(0);
    const [runId] = readdirSync(join(home, 'state/runs'));

    const none = await mcpMigrate(['rollback'], { home });
    expect(none.exitCode).toBe(3);
    expect(none.stderr).toMatch(/is completed: rolling back to its last rollback point \(v6\.verify\) would undo nothing/);
    expect(none.stderr).toMatch(/--to 4\.2/);
    expect(journalTypes(home, runId!)).not.toContain('rollback.start');
    expect((await mcp(['version', '--current'], { home })).stdout).toMatch(/6\.0/);

    dash = await startDashboardBin(home);
    const r = await fetch(`${dash.base}/migration/control/rollback`, { method: 'POST', headers: { authorization: `Bearer ${dash.token}` } });
    expect(r.status).toBe(202);
    expect(await r.json()).toMatchObject({ status: 'started', message: expect.stringContaining(`mcp-migrate rollback --run ${runId} --to 4.2`) });
    await waitFor('the rollback to end', () => journalTypes(home, runId!).includes('rollback.end'), 120_000, 300);
    const doc = (await (await fetch(`${dash.base}/migration/status`, { headers: { authorization: `Bearer ${dash.token}` } })).json()) as { status: string; steps: Array<{ status: string }> };
    expect(doc.status).toBe('rolled-back');
    expect(doc.steps.filter((s: { status: string }) => s.status !== 'undone')).toEqual([]);
    expect((await mcp(['version', '--current'], { home })).stdout).toMatch(/4\.2/);
  }, 240_000);
});
