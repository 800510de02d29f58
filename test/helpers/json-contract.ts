// The --json contract, checked on every run of the built binaries: test/helpers/cli.ts hands each
// `--json` run here. Its stdout must be one JSON document (or NDJSON events ending with the `result`
// event) that validates against the schema src/cli/results.ts publishes for that command; a failure
// prints the error document, whose exitCode is the process's. A command without a schema is a problem.
import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { createProgram, type App } from '../../src/cli/program.js';
import { MCP_REGISTERS } from '../../src/cli/mcp.js';
import { MIGRATE_REGISTERS } from '../../src/cli/mcp-migrate.js';
import { errorResult, resultSchemaFor, streamEvent } from '../../src/cli/results.js';

type Bin = 'mcp' | 'mcp-migrate';
const trees = new Map<Bin, Command>();

function tree(bin: Bin): Command {
  let t = trees.get(bin);
  if (!t) {
    const s = new PassThrough();
    const app: App = { bin, argv: [], env: {}, signal: new AbortController().signal, exitCode: 0, streams: { stdin: {}, stdout: s, stderr: s } };
    t = createProgram(app, 'test', [...(bin === 'mcp' ? MCP_REGISTERS : MIGRATE_REGISTERS)]);
    trees.set(bin, t);
  }
  return t;
}

/** The command an argv runs (`db status`, `backup create`), or undefined when the words name none. */
export function commandPath(bin: Bin, argv: string[]): string | undefined {
  let cur = tree(bin);
  const path: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-')) continue;
    const next = (cur.commands as Command[]).find((c) => c.name() === a || c.aliases().includes(a));
    if (!next) break;
    cur = next;
    path.push(next.name());
  }
  return path.length ? path.join(' ') : undefined;
}

const issuesOf = (r: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) =>
  r.success ? [] : r.error!.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);

/** What is wrong with a `--json` run's stdout, as readable lines; empty when it keeps the contract. */
export function contractProblems(bin: Bin, argv: string[], exitCode: number, stdout: string): string[] {
  if (!argv.includes('--json') || argv.some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-V')) return [];
  if (exitCode < 0) return []; // killed (a timeout, a test's own SIGKILL): whatever was printed is cut short
  const path = commandPath(bin, argv);
  const name = `${bin} ${path ?? ''}`.trim();
  const text = stdout.trim();
  if (text === '') return exitCode === 0 ? [`${name} --json printed nothing on stdout`] : [`${name} --json failed (exit ${exitCode}) without the error document`];
  let docs: unknown[];
  try {
    docs = [JSON.parse(text)];
  } catch {
    try {
      docs = text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
    } catch {
      return [`${name} --json: stdout is neither one JSON document nor JSON lines: ${text.slice(0, 120)}`];
    }
  }
  const last = docs[docs.length - 1] as Record<string, unknown> | null;
  // the error document: {"error": {code, message, exitCode, …}} (a run's result may carry an error string)
  if (last && typeof last === 'object' && !('type' in last) && typeof last.error === 'object' && last.error !== null) {
    const p = issuesOf(errorResult.safeParse(last)).map((i) => `${name} error document: ${i}`);
    const code = (last.error as { exitCode?: unknown } | null)?.exitCode;
    if (code !== exitCode) p.push(`${name}: the error document says exitCode ${String(code)}, the process exited ${exitCode}`);
    return p;
  }
  const schema = path ? resultSchemaFor(bin, path) : undefined;
  if (!schema) return [`${name} --json has no published result schema (src/cli/results.ts)`];
  const problems: string[] = [];
  if (docs.length > 1) {
    docs.forEach((d, i) => problems.push(...issuesOf(streamEvent.safeParse(d)).map((x) => `${name} event ${i + 1}: ${x}`)));
    const result = docs.filter((d) => (d as { type?: unknown }).type === 'result');
    // a follow or watch stream may be cut before its end; a run's stream ends with its result
    for (const r of result) problems.push(...issuesOf(schema.safeParse(r)).map((x) => `${name} result: ${x}`));
    if (!result.length) for (const d of docs) problems.push(...issuesOf(schema.safeParse(d)).map((x) => `${name} line: ${x}`));
    return [...new Set(problems)];
  }
  return issuesOf(schema.safeParse(docs[0])).map((x) => `${name}: ${x}`);
}

/** Every command (leaf) of a binary, as its path: `db status`, `backup create`. */
export function leafPaths(bin: Bin): string[] {
  const out: string[] = [];
  const walk = (c: Command, p: string[]) => {
    for (const k of c.commands as Command[]) {
      const q = [...p, k.name()];
      if ((k as unknown as { _actionHandler?: unknown })._actionHandler) out.push(q.join(' '));
      walk(k, q);
    }
  };
  walk(tree(bin), []);
  return out;
}
