// The transformer registry: one module per hop, chained along the path paths.ts finds.
import type { KnownVersion } from '../../versions.js';
import { invalidInput } from '../../errors.js';
import { requirePath, resolveSource, resolveTarget } from '../paths.js';
import { unknownFields, validateConfig, generationOf } from '../validate.js';
import type { BreakingChange, Doc, Hop, ReportedField } from './types.js';
import { hop as h40 } from './v4_0-to-v4_1.js';
import { hop as h41 } from './v4_1-to-v4_2.js';
import { hop as h50 } from './v5_0-to-v5_1.js';
import { hop as h51 } from './v5_1-to-v5_2.js';
import { v4ToV5Hop } from './v4-to-v5.js';
import { v5ToV6Hop } from './v5-to-v6.js';

export const HOPS: readonly Hop[] = [
  h40,
  h41,
  v4ToV5Hop('4.0'),
  v4ToV5Hop('4.1'),
  v4ToV5Hop('4.2'),
  h50,
  h51,
  v5ToV6Hop('5.0'),
  v5ToV6Hop('5.1'),
  v5ToV6Hop('5.2'),
];

export function hopOf(from: KnownVersion, to: KnownVersion): Hop {
  const h = HOPS.find((x) => x.from === from && x.to === to);
  if (!h) throw new Error(`no transformer registered for ${from} → ${to}`);
  return h;
}

export type HopNote = BreakingChange & { hop: string };
export type HopReport = ReportedField & { hop: string };

export interface TransformResult {
  from: KnownVersion;
  to: KnownVersion;
  /** versions visited, from first to last */
  path: KnownVersion[];
  config: Doc;
  /** breaking changes of every hop (the guide's tables) */
  notes: HopNote[];
  /** what the operator still has to do */
  manualActions: string[];
  /** unknown fields (carried as they are) and fields moved, changed, replaced or added, with the hop */
  reported: HopReport[];
}

/** Apply one hop, reporting the unknown fields of its input as carried. */
export function applyHop(hop: Hop, doc: Doc, last = true): { config: Doc; manualActions: string[]; reported: ReportedField[] } {
  const r = hop.apply(doc);
  const unknown = unknownFields(doc, generationOf(hop.from)).map(
    (path): ReportedField => ({ path, disposition: 'carried', reason: `not a v${generationOf(hop.from)} field: carried as it is, not validated` }),
  );
  return { config: r.config, manualActions: last ? [...r.manualActions, ...(r.finalOnly ?? [])] : r.manualActions, reported: [...unknown, ...r.reported] };
}

/**
 * Transform a config along the upgrade path. `fromVersion`/`toVersion` as the guide writes them (`4.x`,
 * `5.0`, `6.0.0`); `4.x` means the version the document says. The input must be valid for its version
 * (exit 2 naming the field otherwise); no path is exit 3 naming the nearest valid one. The input is not
 * modified.
 */
export function transformConfig(doc: Doc, fromVersion: string | undefined, toVersion: string, opts: { where?: string } = {}): TransformResult {
  const where = opts.where ?? 'config';
  const docVersion = doc.version === undefined ? undefined : String(doc.version);
  const from = resolveSource(fromVersion ?? docVersion ?? '', docVersion, '--from');
  if (docVersion) {
    const actual = resolveSource(docVersion, docVersion, 'version');
    if (actual !== from) throw invalidInput(`the config is version ${docVersion}, not ${fromVersion}`, { where: `${where}: version`, hint: `pass --from ${actual}, or the config of version ${fromVersion}` });
  }
  const input = validateConfig(doc, from);
  if (!input.ok) {
    const first = input.issues[0]!;
    throw invalidInput(`not a valid ${from} config: ${first.message}`, { where: `${where}: ${first.path || '(root)'}`, hint: 'fix the field (docs/config-formats.md), then run again', details: { issues: input.issues } });
  }
  const to = resolveTarget(from, toVersion);
  const path = requirePath(from, to);
  let cur: Doc = doc;
  const notes: HopNote[] = [];
  const manualActions: string[] = [];
  const reported: HopReport[] = [];
  for (let i = 0; i + 1 < path.length; i++) {
    const hop = hopOf(path[i]!, path[i + 1]!);
    const label = `${hop.from}→${hop.to}`;
    const r = applyHop(hop, cur, i + 2 === path.length);
    cur = r.config;
    for (const n of hop.breakingChanges) notes.push({ hop: label, ...n });
    for (const m of r.manualActions) if (!manualActions.includes(m)) manualActions.push(m);
    for (const f of r.reported) reported.push({ hop: label, ...f });
  }
  if (path.length === 1 && docVersion !== from) cur = { ...cur, version: from };
  const out = validateConfig(cur, to);
  if (!out.ok) {
    const first = out.issues[0]!;
    throw invalidInput(`the ${to} result would not be valid: ${first.message}`, {
      where: `${where}: ${first.path || '(root)'} (in the ${to} config)`,
      hint: 'a field of the input cannot be expressed in the target version; fix it in the input and run again',
      details: { issues: out.issues },
    });
  }
  return { from, to, path, config: cur, notes, manualActions, reported };
}
