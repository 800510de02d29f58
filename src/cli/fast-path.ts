// What both binaries answer before loading the CLI: `--version`, and `--help` of any command from the help
// the build rendered (dist/help-cache.json, src/cli/help-cache.ts). Imports nothing but node:fs.
import { readFileSync } from 'node:fs';

/** The help-cache key of an argv that only asks for help (`db status --help` → 'db status'), or undefined. */
export function helpKey(argv: string[]): string | undefined {
  const last = argv[argv.length - 1];
  if (last !== '--help' && last !== '-h') return undefined;
  const words = argv.slice(0, -1);
  return words.every((w) => /^[a-z][a-z0-9-]*$/.test(w)) ? words.join(' ') : undefined;
}

/** Answers `--version` or a cached `--help` on stdout; false when the CLI itself must run. */
export function answerFast(bin: 'mcp' | 'mcp-migrate', argv: string[], env: NodeJS.ProcessEnv = process.env): boolean {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version + '\n');
    return true;
  }
  const key = helpKey(argv);
  if (key === undefined || env.MCP_HELP_CACHE === 'off') return false;
  let text: string | undefined;
  try {
    text = (JSON.parse(readFileSync(new URL('../../help-cache.json', import.meta.url), 'utf8')) as Record<string, Record<string, string>>)[bin]?.[key];
  } catch {
    return false; // no cache (a build without it): the CLI renders the help itself
  }
  if (text === undefined) return false;
  process.stdout.write(text);
  return true;
}
