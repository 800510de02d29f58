// Every file a user hands the CLI (a config, a plan, a compose file, a passphrase file) is read and parsed here,
// with budgets, so no input can hang or crash a command: only regular files (a FIFO would block forever), at most
// MAX_INPUT_BYTES, nesting at most MAX_DEPTH deep, YAML aliases bounded (a "billion laughs" is refused before it
// expands), no alias that refers to a node containing it. Every refusal is exit 2 naming file:line:column.
import { open } from 'node:fs/promises';
import { yamlDoc } from './yaml-libs.js';
import { invalidInput } from './errors.js';

export const MAX_INPUT_BYTES = 64 * 1024 * 1024;
export const MAX_DEPTH = 100;
/** YAML alias resolutions allowed (the `yaml` library scales it with the document's size) */
export const MAX_ALIASES = 100;

/** Read a file a user named: a regular file of a sane size, as UTF-8. */
export async function readInputFile(path: string, flag?: string): Promise<string> {
  const what = flag ? `${flag} ${path}` : path;
  let fh;
  try {
    // O_NONBLOCK: opening a FIFO with no writer would block this call forever
    const { constants } = await import('node:fs');
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw invalidInput(`cannot read ${what}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`, {
      where: path,
      hint: flag ? `check the path given to ${flag}` : undefined,
    });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      const kind = st.isFIFO() ? 'a FIFO (named pipe)' : st.isDirectory() ? 'a directory' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'not a regular file';
      throw invalidInput(`${what} is ${kind}, not a regular file`, { where: path, hint: 'give the path of a file (write a pipe\'s content to a file first)' });
    }
    if (st.size > MAX_INPUT_BYTES) throw invalidInput(`${what} is ${st.size} bytes; the limit is ${MAX_INPUT_BYTES}`, { where: path });
    return await fh.readFile({ encoding: 'utf8' });
  } finally {
    await fh.close();
  }
}

export function lineColOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

/** Where brackets nest deeper than MAX_DEPTH (outside strings), as an offset; -1 when they do not. */
export function tooDeepAt(text: string, limit = MAX_DEPTH): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') {
      if (++depth > limit) return i;
    } else if (c === ']' || c === '}') depth--;
  }
  return -1;
}

function depthGuard(text: string, file: string): void {
  if (text.length > MAX_INPUT_BYTES) throw invalidInput(`the input is ${text.length} bytes; the limit is ${MAX_INPUT_BYTES}`, { where: file });
  const at = tooDeepAt(text);
  if (at >= 0) {
    const { line, column } = lineColOf(text, at);
    throw invalidInput(`nested more than ${MAX_DEPTH} levels deep`, { where: `${file}:${line}:${column}`, hint: 'no platform file nests this deep; the file is damaged or hostile' });
  }
}

/** JSON.parse with the nesting budget and file:line:column on a syntax error. */
export function parseJsonText(text: string, file: string): unknown {
  depthGuard(text, file);
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = Number(/at position (\d+)/.exec(msg)?.[1] ?? NaN);
    const lc = /line (\d+) column (\d+)/.exec(msg);
    const where = Number.isFinite(pos) ? (({ line, column }) => `${file}:${line}:${column}`)(lineColOf(text, pos)) : lc ? `${file}:${lc[1]}:${lc[2]}` : file;
    throw invalidInput(`malformed JSON: ${msg.split('\n')[0]!.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)/, '')}`, { where });
  }
}

/**
 * YAML (1.2 core schema: dates stay strings; merge keys `<<` allowed) with the alias budget, the nesting budget
 * (of the document and of what its aliases build), no alias into its own ancestor, and file:line:column.
 */
export function parseYamlText(text: string, file: string): unknown {
  depthGuard(text, file);
  const Y = yamlDoc();
  const lc = new Y.LineCounter();
  const doc = Y.parseDocument(text, { merge: true, uniqueKeys: true, lineCounter: lc, prettyErrors: false });
  const at = (offset: number | undefined) => {
    const p = offset === undefined ? undefined : lc.linePos(offset);
    return p ? `${file}:${p.line}:${p.col}` : file;
  };
  const err = doc.errors[0];
  if (err) throw invalidInput(`malformed YAML: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '')}`, { where: at(err.pos[0]) });
  // aliases that point into a node that contains them make a cycle: nothing could walk it
  const stack: { node: unknown; ancestors: Set<unknown> }[] = [{ node: doc.contents, ancestors: new Set() }];
  while (stack.length) {
    const { node, ancestors } = stack.pop()!;
    if (Y.isAlias(node)) {
      const target = node.resolve(doc);
      if (target && ancestors.has(target)) throw invalidInput(`the alias *${node.source} refers to a node that contains it`, { where: at(node.range?.[0]) });
      continue;
    }
    const inner = new Set(ancestors).add(node);
    if (inner.size > MAX_DEPTH) throw invalidInput(`nested more than ${MAX_DEPTH} levels deep`, { where: at((node as { range?: [number] }).range?.[0]) });
    if (Y.isMap(node) || Y.isSeq(node)) {
      for (const item of node.items as unknown[]) {
        if (Y.isPair(item)) {
          stack.push({ node: item.key, ancestors: inner });
          stack.push({ node: item.value, ancestors: inner });
        } else stack.push({ node: item, ancestors: inner });
      }
    }
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    const msg = (e as Error).message;
    if (/alias count|resource exhaustion/i.test(msg)) throw invalidInput('the YAML expands its aliases too far (a "billion laughs"): refused before expanding', { where: `${file}:1:1`, hint: 'use each anchor a few times at most' });
    throw invalidInput(`malformed YAML: ${msg.split('\n')[0]}`, { where: file });
  }
  if (heightOf(value) > MAX_DEPTH) throw invalidInput(`what the aliases build nests more than ${MAX_DEPTH} levels deep`, { where: `${file}:1:1` });
  return value;
}

/** The nesting depth of a plain value (shared nodes counted once; the value has no cycles). */
function heightOf(v: unknown): number {
  const memo = new Map<object, number>();
  const stack: { node: object; done: boolean }[] = [];
  const kids = (o: object) => (Array.isArray(o) ? o : Object.values(o)).filter((x): x is object => x !== null && typeof x === 'object');
  if (v === null || typeof v !== 'object') return 0;
  stack.push({ node: v, done: false });
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (memo.has(top.node)) {
      stack.pop();
      continue;
    }
    if (!top.done) {
      top.done = true;
      for (const k of kids(top.node)) if (!memo.has(k)) stack.push({ node: k, done: false });
      continue;
    }
    stack.pop();
    memo.set(top.node, 1 + Math.max(0, ...kids(top.node).map((k) => memo.get(k) ?? 0)));
    if (memo.get(top.node)! > MAX_DEPTH) return memo.get(top.node)!;
  }
  return memo.get(v)!;
}

/** YAML or JSON, by the first character (a `{` or `[` is JSON). */
export function parseStructuredText(text: string, file: string): unknown {
  const t = text.replace(/^\uFEFF/, '');
  return /^\s*[{[]/.test(t) ? parseJsonText(t, file) : parseYamlText(t, file);
}
