// Fake docker / kubectl / rsync executables put first on PATH by a test. Each records its argv
// (one JSON line per call) and answers from a script of rules; a call no rule matches exits 97
// with "unexpected call" on stderr, so a test fails on a call it did not expect.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface FakeRule {
  /** argv must start with these; a string that starts and ends with / is a regular expression */
  args: string[];
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  /** answer with the contents of a state file (written by an earlier rule's `writeState`) */
  stdoutFromState?: string;
  /** write this text to a state file (simulating a change of state, e.g. a service started) */
  writeState?: { name: string; text: string };
  /** sleep before answering, for timeout tests */
  sleepMs?: number;
  /**
   * Source of a function `(argv, state, require, stdin, commit) => ({ stdout?, stderr?, exitCode? })` run by the fake: `state`
   * is a JSON object shared by every fake in the directory (state.json), saved after the call, so a fake can
   * simulate a changing world (containers started and stopped one by one). Calls take turns with it (a lock);
   * `commit()` saves it and ends the turn early. Its answer overrides stdout etc.
   */
  handler?: string;
  /** run this command with the fake's own stdin/stdout instead (a real server standing in for a container) */
  exec?: string[];
}

export interface FakeCall {
  bin: string;
  argv: string[];
  cwd: string;
  stdin?: string;
}

export interface FakeBins {
  dir: string;
  /** PATH with the fakes first */
  path: string;
  env: Record<string, string>;
  calls(bin?: string): FakeCall[];
  setRules(bin: string, rules: FakeRule[]): void;
  /** the shared state object of `handler` rules */
  state<T = Record<string, unknown>>(): T;
  setState(state: Record<string, unknown>): void;
}

const SCRIPT = `#!/usr/bin/env node
const fs = require('fs'), path = require('path');
const dir = __dirname, bin = path.basename(__filename);
const argv = process.argv.slice(2);
const rules = JSON.parse(fs.readFileSync(path.join(dir, bin + '.rules.json'), 'utf8'));
const matches = (pat, a) => a !== undefined && (pat.length > 1 && pat.startsWith('/') && pat.endsWith('/') ? new RegExp(pat.slice(1, -1)).test(a) : pat === a);
const rule = rules.find((r) => r.args.length <= argv.length && r.args.every((p, i) => matches(p, argv[i])));
if (rule && rule.exec) {
  // stand-in for an interactive process (a container speaking MCP on stdio): hand it our stdin/stdout
  fs.appendFileSync(path.join(dir, 'calls.jsonl'), JSON.stringify({ bin, argv, cwd: process.cwd() }) + '\\n');
  const r = require('child_process').spawnSync(rule.exec[0], rule.exec.slice(1), { stdio: 'inherit' });
  process.exit(r.status === null ? 1 : r.status);
}
let stdin;
try { if (!process.stdin.isTTY) stdin = fs.readFileSync(0, 'utf8'); } catch { stdin = undefined; }
fs.appendFileSync(path.join(dir, 'calls.jsonl'), JSON.stringify({ bin, argv, cwd: process.cwd(), stdin: stdin || undefined }) + '\\n');
if (!rule) { process.stderr.write('unexpected call: ' + bin + ' ' + argv.join(' ') + '\\n'); process.exit(97); }
const finish = () => {
  if (rule.handler) {
    const sf = path.join(dir, 'state.json');
    // one world: calls made at once (a parallel phase) take turns with the state, as a real engine would
    const lock = path.join(dir, 'state.lock');
    const until = Date.now() + 10000;
    for (;;) { try { fs.mkdirSync(lock); break; } catch { if (Date.now() > until) { try { fs.rmdirSync(lock); } catch {} } else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); } }
    let ans;
    let held = true;
    const state = fs.existsSync(sf) ? JSON.parse(fs.readFileSync(sf, 'utf8')) : {};
    // commit(): the state as it is now reaches the world and the turn ends (a handler that then hangs, like a
    // kubectl stuck in a webhook after the API server took the object, does not hold everyone else up)
    const commit = () => {
      if (!held) return;
      fs.writeFileSync(sf + '.tmp', JSON.stringify(state));
      fs.renameSync(sf + '.tmp', sf);
      held = false;
      fs.rmdirSync(lock);
    };
    try {
      ans = (0, eval)('(' + rule.handler + ')')(argv, state, require, stdin, commit) || {};
      commit();
    } finally { if (held) fs.rmdirSync(lock); }
    if (ans.stdout) process.stdout.write(ans.stdout);
    if (ans.stderr) process.stderr.write(ans.stderr);
    process.exitCode = ans.exitCode || 0;
    return;
  }
  if (rule.writeState) fs.writeFileSync(path.join(dir, 'state-' + rule.writeState.name), rule.writeState.text);
  let out = rule.stdout || '';
  if (rule.stdoutFromState) { const f = path.join(dir, 'state-' + rule.stdoutFromState); out = fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : out; }
  process.stdout.write(out);
  if (rule.stderr) process.stderr.write(rule.stderr);
  process.exitCode = rule.exitCode || 0;
};
if (rule.sleepMs) setTimeout(finish, rule.sleepMs); else finish();
`;

export function fakeBins(root: string, bins: Record<string, FakeRule[]>): FakeBins {
  const dir = join(root, 'fakebin');
  mkdirSync(dir, { recursive: true });
  const setRules = (bin: string, rules: FakeRule[]) => {
    writeFileSync(join(dir, `${bin}.rules.json`), JSON.stringify(rules));
    const exe = join(dir, bin);
    if (!existsSync(exe)) {
      writeFileSync(exe, SCRIPT.replace('#!/usr/bin/env node', `#!${process.execPath}`));
      chmodSync(exe, 0o755);
    }
  };
  for (const [bin, rules] of Object.entries(bins)) setRules(bin, rules);
  const path = [dir, process.env.PATH ?? ''].join(delimiter);
  return {
    dir,
    path,
    env: { PATH: path },
    setRules,
    state<T>() {
      const f = join(dir, 'state.json');
      return (existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : {}) as T;
    },
    setState(state: Record<string, unknown>) {
      writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
    },
    calls(bin?: string) {
      const f = join(dir, 'calls.jsonl');
      if (!existsSync(f)) return [];
      const all = readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as FakeCall);
      return bin ? all.filter((c) => c.bin === bin) : all;
    },
  };
}
