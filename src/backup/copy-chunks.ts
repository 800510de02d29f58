// The check every chunk of a database dump passes before a restore loads a row of it (and `backup verify` runs):
// rows, fields per row and COPY text escapes (or one JSON document per row for MongoDB dumps), in one pass.
import type { DatabaseDump } from './manifest.js';

export interface ChunkStats {
  lines: number;
  minFields: number;
  maxFields: number;
  /** the first row that is not valid COPY text (1-based), and why */
  bad?: { line: number; reason: string };
}

// A valid COPY text escape after a backslash: \\ \b \t \n \r \f \v \N, an octal digit (\1 to \377), or x and a hex digit.
const ESCAPE_NEXT = new Uint8Array(256);
for (const c of '\\btnrfvN01234567x') ESCAPE_NEXT[c.charCodeAt(0)] = 1;
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;
const [NL, TAB, BSL, DOT, X] = [10, 9, 92, 46, 120];

/**
 * Rows, fields per row, and the first row that is not valid COPY text, in one pass over the bytes (a restore
 * reads every chunk through this before it loads one: it must cost little next to the load itself; splitting
 * into strings and a regular expression per row cost as much as the COPY). UTF-8 never puts a tab, a newline
 * or a backslash inside a multi-byte character, so bytes are enough.
 */
export function chunkStats(buf: Buffer, format: DatabaseDump['format'] = 'pg-copy-text/1'): ChunkStats {
  if (format === 'mongo-ejson/1') return jsonChunkStats(buf);
  const out: ChunkStats = { lines: 0, minFields: Infinity, maxFields: 0 };
  const n = buf.length;
  if (n && buf[n - 1] !== NL) {
    let newlines = 0;
    for (let i = buf.indexOf(NL); i !== -1; i = buf.indexOf(NL, i + 1)) newlines++;
    out.bad = { line: newlines + 1, reason: 'the last row is not terminated (truncated chunk)' };
  }
  let start = 0;
  let tabs = 0;
  for (let i = 0; i < n; i++) {
    const c = buf[i]!;
    if (c === NL) {
      out.lines++;
      const fields = tabs + 1;
      if (fields < out.minFields) out.minFields = fields;
      if (fields > out.maxFields) out.maxFields = fields;
      if (!out.bad && i - start === 2 && buf[start] === BSL && buf[start + 1] === DOT) out.bad = { line: out.lines, reason: 'an end-of-data marker inside the rows' };
      start = i + 1;
      tabs = 0;
    } else if (c === TAB) tabs++;
    else if (c === BSL) {
      const e = i + 1 < n ? buf[i + 1]! : NL;
      if (e === NL || !ESCAPE_NEXT[e] || (e === X && (i + 2 >= n || !HEX[buf[i + 2]!]))) {
        // \. alone on a row is the end-of-data marker, said as such at the end of the row
        if (!out.bad && !(e === DOT && i === start && (i + 2 === n || buf[i + 2] === NL))) out.bad = { line: out.lines + 1, reason: 'an invalid backslash escape' };
      } else i++;
    }
  }
  // a last row without its newline (reported as truncated above) still counts
  if (start < n) {
    out.lines++;
    const fields = tabs + 1;
    if (fields < out.minFields) out.minFields = fields;
    if (fields > out.maxFields) out.maxFields = fields;
  }
  if (out.lines === 0) out.minFields = 0;
  return out;
}

function jsonChunkStats(buf: Buffer): ChunkStats {
  const text = buf.toString('utf8');
  const out: ChunkStats = { lines: 0, minFields: Infinity, maxFields: 0 };
  if (text.length && !text.endsWith('\n')) out.bad = { line: text.split('\n').length, reason: 'the last row is not terminated (truncated chunk)' };
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((l, i) => {
    out.lines++;
    out.minFields = Math.min(out.minFields, 1);
    out.maxFields = Math.max(out.maxFields, 1);
    if (!out.bad) {
      try {
        JSON.parse(l);
      } catch {
        out.bad = { line: i + 1, reason: 'not a JSON document' };
      }
    }
  });
  if (out.lines === 0) out.minFields = 0;
  return out;
}
