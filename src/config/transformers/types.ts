// What one hop of the transformer registry is: a pure function plus the notes the operator needs.
import type { KnownVersion } from '../../versions.js';

export type Doc = Record<string, unknown>;

/** A row of the guide's "Breaking Changes" tables. */
export interface BreakingChange {
  component: string;
  from: string;
  to: string;
  /** the guide's "Migration Required" column */
  action: string;
}

/** A field of the input that is not carried to the same place with the same value, or that the schema does not know. */
export interface ReportedField {
  /** field path in the hop's input */
  path: string;
  /** carried: unknown to the schema, kept as is; moved: same value elsewhere; changed: new value; replaced: overwritten; added: new field */
  disposition: 'carried' | 'moved' | 'changed' | 'replaced' | 'added';
  /** where it went (moved) */
  to?: string;
  reason: string;
}

export interface HopOutput {
  config: Doc;
  manualActions: string[];
  /** actions that apply only when this hop's output is the config that runs (a later hop supersedes them) */
  finalOnly?: string[];
  reported: ReportedField[];
}

export interface Hop {
  from: KnownVersion;
  to: KnownVersion;
  type: 'minor' | 'major';
  /** the guide's table rows for this hop (empty for minor hops: no breaking changes) */
  breakingChanges: BreakingChange[];
  /** what the target minor adds (optional fields) */
  features: string[];
  apply(doc: Doc): HopOutput;
}
