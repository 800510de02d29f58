// docs/commands.md is generated from the commander tree, so it cannot drift from the CLI.
import type { Command } from 'commander';
import { PassThrough } from 'node:stream';
import type { App } from './program.js';
import { examplesOf } from './program.js';
import { buildMcp } from './mcp.js';
import { buildMcpMigrate } from './mcp-migrate.js';
import { EXIT_CODE_DOCS } from './errors.js';

const GLOBAL = new Set(['--home', '--json', '--yes', '--verbose', '--quiet', '--no-color', '--help', '--version']);

function fakeApp(bin: App['bin']): App {
  const s = new PassThrough();
  return { bin, argv: [], env: {}, signal: new AbortController().signal, exitCode: 0, streams: { stdin: {}, stdout: s, stderr: s } };
}

function usage(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return `${names.join(' ')} ${cmd.usage()}`.trim();
}

function section(cmd: Command, depth: number, out: string[]): void {
  const leafish = cmd.commands.length === 0;
  out.push(`${'#'.repeat(Math.min(depth, 4))} \`${usage(cmd).replace(/ \[options\]/, '')}\``, '', cmd.description(), '');
  const own = cmd.options.filter((o) => !GLOBAL.has(o.long ?? ''));
  if (own.length) {
    out.push('| option | meaning |', '| --- | --- |');
    for (const o of own) {
      const def = o.defaultValue !== undefined && o.defaultValue !== false ? ` (default: \`${JSON.stringify(o.defaultValue)}\`)` : '';
      out.push(`| \`${o.flags.replace(/\|/g, '\\|')}\` | ${o.description.replace(/\|/g, '\\|')}${def} |`);
    }
    out.push('');
  }
  const ex = examplesOf(cmd);
  if (ex.length) out.push('```sh', ...ex, '```', '');
  if (!leafish) for (const c of cmd.commands) section(c, depth + 1, out);
}

export function renderCommandsMarkdown(): string {
  const out: string[] = [
    '# Commands',
    '',
    '<!-- Generated from the commander tree by `npm run docs`; a test fails when this file is stale. -->',
    '',
    'Every command takes the global options `--home DIR`, `--json`, `--yes`, `--verbose`, `--quiet` and `--no-color`',
    '(before or after the command name). Results go to stdout, progress and logs to stderr.',
    '',
    '## Exit codes',
    '',
    '| code | name | meaning |',
    '| --- | --- | --- |',
    ...EXIT_CODE_DOCS.map((d) => `| ${d.code} | ${d.name} | ${d.meaning} |`),
    '',
  ];
  for (const [title, program] of [
    ['`mcp`', buildMcp(fakeApp('mcp'))],
    ['`mcp-migrate`', buildMcpMigrate(fakeApp('mcp-migrate'))],
  ] as const) {
    out.push(`## ${title}`, '', program.description(), '');
    for (const c of program.commands) section(c, 3, out);
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}
