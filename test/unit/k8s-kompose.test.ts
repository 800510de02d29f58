// kompose's own test cases (../shared/compat/kompose): each converts into objects that validate against
// the Kubernetes schemas, and differs from kompose's output only where docs/kompose-compat.md says so.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { loadCompose } from '../../src/k8s/compose.js';
import { convertCompose } from '../../src/k8s/convert.js';
import { formatIssue, validateObjects } from '../../src/k8s/validate.js';
import { diffFacts, facts } from './k8s-facts.js';
import { CASES, GLOBAL_DIFFS } from './k8s-kompose-cases.js';

const ROOT = resolve(import.meta.dirname, '../..');
const KOMPOSE = resolve(ROOT, '../shared/compat/kompose');
const present = existsSync(join(KOMPOSE, 'cases.json'));
if (!present) console.warn(`skipping the kompose compatibility cases: ${KOMPOSE} is missing (CI clones main with shared/ beside it)`);

interface KomposeCase {
  case: number;
  inputs: string[];
  expected: string;
  kompose_flags: string[];
}
const cases: KomposeCase[] = present ? JSON.parse(readFileSync(join(KOMPOSE, 'cases.json'), 'utf8')) : [];

describe.skipIf(!present)('kompose compatibility (../shared/compat/kompose)', () => {
  it('covers all 44 cases, each documented in docs/kompose-compat.md', () => {
    expect(cases).toHaveLength(44);
    const doc = readFileSync(join(ROOT, 'docs/kompose-compat.md'), 'utf8');
    for (const c of cases) {
      const note = CASES[c.case];
      expect(note, `case ${c.case} has no note`).toBeDefined();
      expect(doc, `case ${c.case} in docs/kompose-compat.md`).toMatch(new RegExp(`^\\| ${c.case} \\| [^|]+ \\| ${note!.status} \\|`, 'm'));
    }
  });

  it.each(cases.map((c) => [c.case, c] as const))('case %i converts into valid objects that differ from kompose only as documented', async (_n, c) => {
    const project = await loadCompose(c.inputs.map((i) => join(KOMPOSE, 'fixtures', i)), { env: {}, interpolate: !c.kompose_flags.includes('--no-interpolate') });
    const conv = convertCompose(project, { namespace: 'default' });
    expect(conv.objects.some((o) => o.kind === 'Deployment' || o.kind === 'CronJob')).toBe(true);
    const issues = await validateObjects(conv.objects);
    expect(issues.map(formatIssue)).toEqual([]);

    const theirs = yaml.loadAll(readFileSync(join(KOMPOSE, 'fixtures', c.expected), 'utf8')).filter(Boolean) as Array<Record<string, unknown>>;
    const diff = diffFacts(facts(conv.objects), facts(theirs)).filter((d) => !GLOBAL_DIFFS.some((g) => g.pattern.test(d)));
    const note = CASES[c.case]!;
    const unexplained = diff.filter((d) => !note.diffs.some((p) => p.test(d)));
    expect(unexplained, `case ${c.case}: differences not documented`).toEqual([]);
    const stale = note.diffs.filter((p) => !diff.some((d) => p.test(d))).map(String);
    expect(stale, `case ${c.case}: documented differences that no longer occur`).toEqual([]);
    expect(note.status === 'equivalent').toBe(diff.length === 0);
    // every compose service is accounted for in the report
    expect(conv.report.services.map((s) => s.service).sort()).toEqual(Object.keys(project.doc.services).sort());
  });
});
