// The child-process wrapper against fake executables on PATH.
import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../helpers/errors.js';
import { run } from '../../src/runtime/exec.js';
import { fakeBins } from '../helpers/fakebin.js';
import { tempDir } from '../helpers/cli.js';
import { McpError } from '../../src/errors.js';

describe('run()', () => {
  it('passes argv as an array and returns stdout', async () => {
    const fb = fakeBins(tempDir(), { docker: [{ args: ['compose', 'ps'], stdout: 'web running\n' }] });
    const r = await run('docker', ['compose', 'ps'], { env: { ...process.env, PATH: fb.path } });
    expect(r.stdout).toBe('web running\n');
    expect(fb.calls('docker').map((c) => c.argv)).toEqual([['compose', 'ps']]);
  });

  it('a missing tool is exit 3 naming the binary', async () => {
    const err = await run('kubectl', ['version'], { env: { PATH: tempDir() } }).catch((e) => e);
    expect(err).toBeInstanceOf(McpError);
    expect(exitCodeOf(err)).toBe(3);
    expect(err.message).toBe('kubectl not found on PATH');
    expect(err.hint).toMatch(/install kubectl/);
  });

  it('a failure carries a bounded, redacted stderr tail', async () => {
    const noise = 'x'.repeat(10_000);
    const fb = fakeBins(tempDir(), { docker: [{ args: ['login'], stderr: `${noise}\nfailed for postgres://u:pw123@h/db`, exitCode: 1 }] });
    const err = await run('docker', ['login', '--password', 'pw123'], { env: { ...process.env, PATH: fb.path } }).catch((e) => e);
    expect(exitCodeOf(err)).toBe(1);
    expect(err.message.length).toBeLessThan(2200);
    expect(err.message).not.toContain('pw123');
    expect(err.message).toContain('exited with 1');
  });

  it('echoes the redacted command line', async () => {
    const fb = fakeBins(tempDir(), { kubectl: [{ args: ['apply'] }] });
    const lines: string[] = [];
    await run('kubectl', ['apply', '--token', 'abcdef'], { env: { ...process.env, PATH: fb.path }, echo: (l) => lines.push(l) });
    expect(lines).toEqual(['$ kubectl apply --token [REDACTED]']);
  });

  it('times out', async () => {
    const fb = fakeBins(tempDir(), { rsync: [{ args: [], sleepMs: 5000 }] });
    const err = await run('rsync', ['-a'], { env: { ...process.env, PATH: fb.path }, timeoutMs: 300 }).catch((e) => e);
    expect(err.code).toBe('exec_timeout');
  });

  it('an unexpected call to a fake fails loudly', async () => {
    const fb = fakeBins(tempDir(), { docker: [{ args: ['compose', 'up'] }] });
    const r = await run('docker', ['rm', '-f', 'x'], { env: { ...process.env, PATH: fb.path }, allowFailure: true });
    expect(r.exitCode).toBe(97);
    expect(r.stderr).toMatch(/unexpected call: docker rm -f x/);
  });
});
