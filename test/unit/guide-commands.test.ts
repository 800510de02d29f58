// Every `mcp` and `mcp-migrate` command line in the guide's code blocks parses against our command
// tree: the command exists, every flag exists, required options and arguments are there. (What each
// does is tested in its own e2e test; this one catches a flag the guide uses that we dropped.)
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { buildMcp } from '../../src/cli/mcp.js';
import { buildMcpMigrate } from '../../src/cli/mcp-migrate.js';
import type { App } from '../../src/cli/program.js';
import { ROOT } from '../helpers/cli.js';

// a copy travels with the repository (CI clones it alone); beside it, the guide itself must equal the copy
const COPY = join(ROOT, 'test/fixtures/guide/MIGRATION_GUIDE.md');
const BESIDE = join(ROOT, '../shared/reference/MIGRATION_GUIDE.md');
const GUIDE = COPY;

/** Code-block lines, with backslash continuations joined. */
function codeLines(md: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let inBlock = false;
  let pending: { line: number; text: string } | undefined;
  md.split('\n').forEach((l, i) => {
    if (/^\s*```/.test(l)) {
      inBlock = !inBlock;
      return;
    }
    if (!inBlock) return;
    const text = pending ? `${pending.text} ${l.trim()}` : l;
    const line = pending?.line ?? i + 1;
    if (/\\\s*$/.test(text)) pending = { line, text: text.replace(/\\\s*$/, '') };
    else {
      pending = undefined;
      out.push({ line, text });
    }
  });
  return out;
}

/** Shell-ish words of one command, up to a redirection, pipe, list operator or closing paren. */
function words(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let has = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      has = true;
      continue;
    }
    if (c === '$' && s[i + 1] === '(') {
      // a command substitution stands for one value
      let depth = 0;
      for (; i < s.length; i++) {
        if (s[i] === '(') depth++;
        else if (s[i] === ')' && --depth === 0) break;
      }
      cur += 'VALUE';
      has = true;
      continue;
    }
    if (/[\s]/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
      continue;
    }
    if ('|;&>)#'.includes(c)) break;
    cur += c;
    has = true;
  }
  if (has) out.push(cur);
  return out.map((w) => w.replace(/\$\{?[A-Z_]+\}?/g, 'VALUE'));
}

function guideCommands(): Array<{ line: number; bin: 'mcp' | 'mcp-migrate'; args: string[]; text: string }> {
  const md = readFileSync(GUIDE, 'utf8');
  const out: Array<{ line: number; bin: 'mcp' | 'mcp-migrate'; args: string[]; text: string }> = [];
  for (const { line, text } of codeLines(md)) {
    if (/^\s*(#|\/\/)/.test(text)) continue;
    // a call starts the line, or follows a shell operator, a quote, `$(` or `do`/`then`
    for (const m of text.matchAll(/(?:^|[;&|('"`]\s*|\$\(|\bdo\s+|\bthen\s+|^\s+)(mcp-migrate|mcp)(?=\s|$)/g)) {
      const rest = text.slice(m.index! + m[0].length);
      out.push({ line, bin: m[1] as 'mcp' | 'mcp-migrate', args: words(rest), text: text.trim() });
    }
  }
  return out;
}

/** The real command tree with every action replaced by a recorder: parsing only, nothing runs. */
function parseOnly(bin: 'mcp' | 'mcp-migrate', args: string[]): string[] {
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  const app = { bin, streams: { stdout: sink, stderr: sink, stdin: process.stdin }, env: {}, signal: new AbortController().signal, argv: args, exitCode: 0 } as unknown as App;
  const program = bin === 'mcp' ? buildMcp(app) : buildMcpMigrate(app);
  const ran: string[] = [];
  const walk = (c: Command, path: string[]) => {
    c.action(() => void ran.push(path.join(' ')));
    for (const sub of c.commands) walk(sub, [...path, sub.name()]);
  };
  for (const c of program.commands) walk(c, [c.name()]);
  try {
    program.parse(args, { from: 'user' });
  } catch (e) {
    // --help and --version are answers, not errors
    if (e instanceof CommanderError && (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')) return ['(help)'];
    throw e;
  }
  return ran;
}

describe("the guide's command lines", () => {
  const cmds = guideCommands();

  it.skipIf(!existsSync(BESIDE))('are read from a copy equal to the guide beside the repository', () => {
    expect(readFileSync(COPY, 'utf8')).toBe(readFileSync(BESIDE, 'utf8'));
  });

  it('are found (the extraction itself works)', () => {
    expect(cmds.length).toBeGreaterThan(60);
    expect(cmds.map((c) => c.args.join(' '))).toEqual(expect.arrayContaining(['stop --all', 'db migrate --version 5.0', 'backup restore --id VALUE --data-only']));
  });

  it.each(cmds.map((c) => [`${c.line}: ${c.bin} ${c.args.join(' ')}`, c] as const))('%s parses', (_name, c) => {
    let ran: string[] = [];
    expect(() => (ran = parseOnly(c.bin, c.args)), `MIGRATION_GUIDE.md:${c.line}: ${c.text}`).not.toThrow();
    expect(ran.length, `MIGRATION_GUIDE.md:${c.line}: no command ran for: ${c.text}`).toBe(1);
  });
});
