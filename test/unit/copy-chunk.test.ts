// The check every COPY chunk passes before a restore loads it (chunkStats): one pass over the bytes now. It must
// judge exactly as the definition does (split into rows and fields, a row valid when it matches COPY text's
// escapes, `\.` alone the end-of-data marker), on any bytes: generated rows full of backslashes, tabs and
// multi-byte characters, and the cases that made restores fail before they loaded a row.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chunkStats, type ChunkStats } from '../../src/backup/copy-chunks.js';

const ESCAPE_OK = /^(?:[^\\]|\\[\\btnrfvN]|\\[0-7]{1,3}|\\x[0-9A-Fa-f]{1,2})*$/;
/** The definition, row by row with strings. */
function reference(buf: Buffer): ChunkStats {
  const text = buf.toString('utf8');
  const out: ChunkStats = { lines: 0, minFields: Infinity, maxFields: 0 };
  if (text.length && !text.endsWith('\n')) out.bad = { line: text.split('\n').length, reason: 'the last row is not terminated (truncated chunk)' };
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((l, i) => {
    out.lines++;
    const n = l.split('\t').length;
    out.minFields = Math.min(out.minFields, n);
    out.maxFields = Math.max(out.maxFields, n);
    if (!out.bad && (l === '\\.' || !ESCAPE_OK.test(l))) out.bad = { line: i + 1, reason: l === '\\.' ? 'an end-of-data marker inside the rows' : 'an invalid backslash escape' };
  });
  if (out.lines === 0) out.minFields = 0;
  return out;
}

describe('chunkStats (COPY text)', () => {
  it('judges any bytes as the row-by-row definition does', () => {
    const piece = fc.constantFrom('a', 'é', '€', '\t', '\n', '\\', '\\\\', '\\N', '\\t', '\\x', '\\x4', '\\xg', '\\0', '\\377', '\\8', '\\.', '.', 'x', '\\\n', '\r');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.boolean(), (ps, terminate) => {
        const s = ps.join('') + (terminate ? '\n' : '');
        const buf = Buffer.from(s, 'utf8');
        expect(chunkStats(buf)).toEqual(reference(buf));
      }),
      { numRuns: 3000 },
    );
  });

  it('names the row and the reason', () => {
    expect(chunkStats(Buffer.from('1\ta\n2\tb\\\n'))).toEqual({ lines: 2, minFields: 2, maxFields: 2, bad: { line: 2, reason: 'an invalid backslash escape' } });
    expect(chunkStats(Buffer.from('1\ta\n\\.\n3\tc\n'))).toMatchObject({ lines: 3, minFields: 1, maxFields: 2, bad: { line: 2, reason: 'an end-of-data marker inside the rows' } });
    expect(chunkStats(Buffer.from('1\ta\n2\tb'))).toMatchObject({ lines: 2, bad: { line: 2, reason: 'the last row is not terminated (truncated chunk)' } });
    expect(chunkStats(Buffer.from('1\t\\N\t\\x41\t\\101\tcaf\u00e9\n'))).toEqual({ lines: 1, minFields: 5, maxFields: 5 });
    expect(chunkStats(Buffer.alloc(0))).toEqual({ lines: 0, minFields: 0, maxFields: 0 });
  });

  it('JSON documents (mongo dumps): one per row', () => {
    expect(chunkStats(Buffer.from('{"a":1}\n{"b":"\\t"}\n'), 'mongo-ejson/1')).toEqual({ lines: 2, minFields: 1, maxFields: 1 });
    expect(chunkStats(Buffer.from('{"a":1}\nnot json\n'), 'mongo-ejson/1')).toMatchObject({ lines: 2, bad: { line: 2, reason: 'not a JSON document' } });
  });
});
