// Text → document, YAML or JSON whatever the file is called (the guide redirects a YAML v4 export
// into config-v4.json). Errors carry file:line:column.
import type * as Y from 'yaml';
import { jsYaml, yamlDoc } from '../yaml-libs.js';
import { isDeepStrictEqual } from 'node:util';
import { parseYamlText, tooDeepAt, lineColOf, MAX_DEPTH } from '../input.js';
import { invalidInput } from '../errors.js';

export type TextFormat = 'json' | 'yaml';

export interface Parsed {
  doc: Record<string, unknown>;
  format: TextFormat;
}

/** 1-based line and column of a character offset. */
export function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

/**
 * Offset of the first syntax error in JSON text (V8 names no position for "Unexpected token"):
 * a small recursive-descent scan, run only after JSON.parse failed.
 */
export function firstJsonError(t: string): number {
  let i = 0;
  const ws = () => {
    while (i < t.length && ' \t\n\r'.includes(t[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const lit = (w: string) => (t.startsWith(w, i) ? (i += w.length) : fail());
  const str = () => {
    i++;
    while (i < t.length && t[i] !== '"') {
      if (t[i] === '\\') {
        i++;
        if (t[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(t.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(t[i] ?? '')) fail();
      } else if (t.charCodeAt(i) < 0x20) fail();
      i++;
    }
    if (i >= t.length) fail();
    i++;
  };
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(t.slice(i, i + 400));
    if (!m || !m[0]) fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = t[i];
    if (c === '{') {
      i++;
      ws();
      if (t[i] === '}') return void i++;
      for (;;) {
        ws();
        if (t[i] !== '"') fail();
        str();
        ws();
        if (t[i] !== ':') fail();
        i++;
        value();
        ws();
        if (t[i] === ',') i++;
        else if (t[i] === '}') return void i++;
        else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (t[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (t[i] === ',') i++;
        else if (t[i] === ']') return void i++;
        else fail();
      }
    } else if (c === '"') str();
    else if (c === 't') lit('true');
    else if (c === 'f') lit('false');
    else if (c === 'n') lit('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) num();
    else fail();
  };
  try {
    value();
    ws();
    if (i < t.length) return i;
  } catch (at) {
    return typeof at === 'number' ? at : t.length;
  }
  return t.length;
}

function jsonErrorOffset(message: string, text: string): number {
  const m = message.match(/at position (\d+)/);
  if (m) return Number(m[1]);
  if (/Unexpected token|Bad control|Bad escape|Unterminated/i.test(message)) return firstJsonError(text);
  const lc = message.match(/line (\d+) column (\d+)/);
  if (lc) {
    const lines = text.split('\n');
    let off = 0;
    for (let i = 0; i < Number(lc[1]) - 1; i++) off += lines[i]!.length + 1;
    return off + Number(lc[2]) - 1;
  }
  return text.length; // "Unexpected end of JSON input"
}

function tooDeep(text: string, file: string): void {
  const at = tooDeepAt(text);
  if (at >= 0) {
    const { line, column } = lineColOf(text, at);
    throw invalidInput(`nested more than ${MAX_DEPTH} levels deep`, { where: `${file}:${line}:${column}`, hint: 'no platform config nests this deep; the file is damaged or hostile' });
  }
}

export function looksLikeJson(text: string): boolean {
  const t = text.replace(/^\uFEFF/, '').trimStart();
  return t.startsWith('{') || t.startsWith('[');
}

export function parseConfigText(text: string, file: string): Parsed {
  const src = text.replace(/^\uFEFF/, '');
  if (src.trim() === '') throw invalidInput('the file is empty', { where: file, hint: 'give a v4 YAML or a v5/v6 JSON config' });
  let doc: unknown;
  let format: TextFormat;
  if (looksLikeJson(src)) {
    format = 'json';
    tooDeep(src, file);
    try {
      doc = JSON.parse(src);
    } catch (e) {
      const msg = (e as Error).message;
      const { line, column } = lineCol(src, jsonErrorOffset(msg, src));
      throw invalidInput(`malformed JSON: ${msg.split('\n')[0]!.replace(/, (\.\.\.)?".*$/, '').replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)/, '')}`, {
        where: `${file}:${line}:${column}`,
        hint: 'fix the file (a YAML or JSON platform config) and run again',
      });
    }
  } else {
    format = 'yaml';
    // the one YAML loader (src/input.ts): alias and nesting budgets, YAML 1.2 (dates stay strings)
    doc = parseYamlText(src, file);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw invalidInput('a platform config is a mapping (an object with version, services, …)', { where: `${file}:1:1` });
  }
  const d = doc as Record<string, unknown>;
  // `version: 4.2` unquoted is a number to YAML and JSON; the operator means "4.2" (5.0 reads as 5: "5.0")
  if (typeof d.version === 'number' && Number.isFinite(d.version)) d.version = Number.isInteger(d.version) ? d.version.toFixed(1) : String(d.version);
  return { doc: d, format };
}

export function serialize(doc: unknown, format: TextFormat): string {
  if (format === 'json') return JSON.stringify(doc, null, 2) + '\n';
  return jsYaml().dump(doc, { lineWidth: -1, noRefs: true, sortKeys: false });
}

const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Set in `d` what differs between `before` and `after` at `path`, leaf by leaf (untouched nodes keep their comments). */
function patchYaml(d: Y.Document, path: (string | number)[], before: unknown, after: unknown): void {
  if (isDeepStrictEqual(before, after)) return;
  if (isPlain(before) && isPlain(after)) {
    // own keys only: a config may well have a key called `constructor`
    for (const k of Object.keys(before)) if (!Object.hasOwn(after, k)) d.deleteIn([...path, k]);
    for (const [k, v] of Object.entries(after)) {
      if (Object.hasOwn(before, k)) patchYaml(d, [...path, k], before[k], v);
      else d.setIn([...path, k], v);
    }
  } else if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    after.forEach((v, i) => patchYaml(d, [...path, i], before[i], v));
  } else if (path.length) d.setIn(path, after);
  else throw new Error('the document changed shape');
}

/**
 * The text of `doc` written in the way of `source`, the file it was read from: the source itself when the
 * document is unchanged; for YAML with changes, the source with only the changed values set in place, so
 * comments, anchors and layout stay. Falls back to serialize() when that cannot be done faithfully (the
 * result is re-read and compared).
 */
export function serializeLike(doc: Record<string, unknown>, format: TextFormat, source: string | undefined, file = 'config'): string {
  if (source === undefined) return serialize(doc, format);
  let before: Parsed;
  try {
    before = parseConfigText(source, file);
  } catch {
    return serialize(doc, format);
  }
  if (before.format !== format) return serialize(doc, format);
  if (isDeepStrictEqual(before.doc, doc)) return source;
  if (format !== 'yaml') return serialize(doc, format);
  try {
    const d = yamlDoc().parseDocument(source.replace(/^\uFEFF/, ''), { merge: true, uniqueKeys: true });
    patchYaml(d, [], before.doc, doc);
    const out = d.toString({ lineWidth: 0 });
    if (isDeepStrictEqual(parseConfigText(out, file).doc, doc)) return out;
  } catch {
    // an alias or merge key in the way of a change: the plain form below is still the same config
  }
  return serialize(doc, format);
}

