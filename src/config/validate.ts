// Validation against a generation's schema: errors with the field path, unknown fields listed.
import type { z } from 'zod';
import { invalidInput } from '../errors.js';
import { parseVersion, resolveKnown, type KnownVersion } from '../versions.js';
import { schemaOf, type Generation } from './schemas/index.js';

export interface ValidationIssue {
  /** field path, e.g. services[2].healthCheck.path */
  path: string;
  message: string;
}

export interface Validation<T = Record<string, unknown>> {
  ok: boolean;
  /** the generation validated against */
  generation: Generation;
  /** the parsed document (unknown keys kept) when ok */
  doc?: T;
  issues: ValidationIssue[];
  /** field paths the schema does not know: carried as they are, reported here */
  unknown: string[];
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/** `4.x`, `5.0`, `6.0.0`, `v6` → 4, 5, 6 */
export function generationOf(version: string, field = 'version'): Generation {
  const v = parseVersion(version, field);
  if (v.major !== 4 && v.major !== 5 && v.major !== 6) {
    throw invalidInput(`${field} '${version}' is not a platform generation this CLI knows`, { hint: 'platform configs are v4, v5 or v6' });
  }
  return v.major;
}

/** The known minor version a config's `version` field names ("5.1.3" → "5.1"). */
export function versionOfDoc(doc: Record<string, unknown>, where = 'version'): KnownVersion {
  const raw = doc.version;
  if (raw === undefined || raw === null || raw === '') throw invalidInput('the config has no version field', { where, hint: 'add version: "4.2", "5.0" or "6.0"' });
  return resolveKnown(String(raw), where);
}

export function issuesOf(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
}

/**
 * Field paths the schema does not know. A walk over the document guided by the schema's shapes (the same
 * answer as a strict parse's unrecognized keys, without a second validation of 10,000 services).
 */
export function unknownFields(doc: unknown, gen: Generation): string[] {
  const out: string[] = [];
  walkUnknown(schemaOf(gen), doc, [], out);
  return out;
}

type Def = { type: string; innerType?: unknown; shape?: Record<string, unknown>; element?: unknown; valueType?: unknown; options?: unknown[]; in?: unknown };
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;
const hasOwn = Object.prototype.hasOwnProperty;

// The path is a stack of segments, formatted only for an unknown field: building a string per node
// made this walk the slowest part of migrating a 10,000-service config.
function walkUnknown(schema: unknown, value: unknown, path: Array<string | number>, out: string[]): void {
  if (value === null || typeof value !== 'object') return;
  let def = defOf(schema);
  while (def.innerType && (def.type === 'optional' || def.type === 'nullable' || def.type === 'default' || def.type === 'readonly')) def = defOf(def.innerType);
  if (def.type === 'pipe' && def.in) return walkUnknown(def.in, value, path, out);
  if (def.type === 'object' && !Array.isArray(value)) {
    const shape = def.shape!;
    for (const k in value) {
      if (!hasOwn.call(value, k)) continue;
      path.push(k);
      if (hasOwn.call(shape, k)) walkUnknown(shape[k], (value as Record<string, unknown>)[k], path, out);
      else out.push(formatPath(path));
      path.pop();
    }
  } else if (def.type === 'array' && Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      walkUnknown(def.element, value[i], path, out);
      path.pop();
    }
  } else if (def.type === 'record' && !Array.isArray(value)) {
    for (const k in value) {
      if (!hasOwn.call(value, k)) continue;
      path.push(k);
      walkUnknown(def.valueType, (value as Record<string, unknown>)[k], path, out);
      path.pop();
    }
  } else if (def.type === 'union') {
    const opt = def.options!.find((o) => {
      const t = defOf(o).type;
      return Array.isArray(value) ? t === 'array' : t === 'object' || t === 'record';
    });
    if (opt) walkUnknown(opt, value, path, out);
  }
}

/**
 * Validate a document against the schema of `version` (`5.0`, `5.x`, `v6`…); without `version`, against the
 * generation its own `version` field names. Never throws for an invalid document: read `ok` and `issues`.
 */
export function validateConfig<T = Record<string, unknown>>(doc: unknown, version?: string): Validation<T> {
  let gen: Generation;
  if (version !== undefined) gen = generationOf(version.replace(/^v(?=\d)/i, ''), 'schema');
  else {
    const raw = (doc as Record<string, unknown> | null)?.version;
    try {
      gen = generationOf(String(raw ?? ''));
    } catch {
      return { ok: false, generation: 6, issues: [{ path: 'version', message: `'${raw ?? ''}' is not a platform version (4.x, 5.x or 6.0)` }], unknown: [] };
    }
  }
  const r = schemaOf(gen).safeParse(doc);
  const unknown = unknownFields(doc, gen);
  if (!r.success) return { ok: false, generation: gen, issues: issuesOf(r.error), unknown };
  return { ok: true, generation: gen, doc: r.data as T, issues: [], unknown };
}

/** validateConfig, or exit 2 naming the first bad field (`file: services[2].name`). */
export function assertValid<T = Record<string, unknown>>(doc: unknown, version: string | undefined, file: string): Validation<T> {
  const v = validateConfig<T>(doc, version);
  if (!v.ok) {
    const first = v.issues[0]!;
    const more = v.issues.length > 1 ? ` (and ${v.issues.length - 1} more problem${v.issues.length > 2 ? 's' : ''}; see mcp config validate --file)` : '';
    throw invalidInput(`${first.message}${more}`, {
      where: `${file}: ${first.path || '(root)'}`,
      hint: `fix the field against the v${v.generation} schema (docs/config-formats.md, schemas/config-v${v.generation}.json)`,
      details: { issues: v.issues },
    });
  }
  return v;
}
