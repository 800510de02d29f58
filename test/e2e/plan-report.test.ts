// What a run's report leaves the operator to do: nothing the run did itself, and what it did not do.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ROOT, mcp, tempDir } from '../helpers/cli.js';

const resultOf = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);

describe('run reports', () => {
  it("the guide's migration-plan.yaml on a 5.0 home moves services only: the report says the platform is still at 5.0 and how to move it", async () => {
    const home = tempDir();
    expect((await mcp(['init', '--example'], { home })).exitCode).toBe(0);
    const up = await mcp(['upgrade', '--to', '5.0', '--json'], { home, timeoutMs: 120_000 });
    expect(up.exitCode).toBe(0);
    // the upgrade ran the database migrations: not on the list of what is left
    expect(resultOf(up.stdout).manualActions.filter((m: string) => /database migrations/.test(m))).toEqual([]);

    const r = await mcp(['migration', 'execute', '--plan', join(ROOT, 'test/fixtures/plans/migration-plan.yaml'), '--json'], { home, timeoutMs: 120_000 });
    expect(r.exitCode).toBe(0);
    const doc = resultOf(r.stdout);
    expect(doc.status).toBe('completed');
    expect(doc.manualActions).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^runtime none: the services run outside mcp — move them to 6\.0 yourself/),
        expect.stringMatching(/^the installation's config and database are still at 5\.0: .* mcp upgrade --to 6\.0/),
      ]),
    );
    expect((await mcp(['version', '--current'], { home })).stdout).toMatch(/5\.0/);
  }, 240_000);
});
