#!/usr/bin/env node
// `mcp-migrate`: the same core as `mcp migration`, as its own binary.
import { answerFast } from '../src/cli/fast-path.js';

const argv = process.argv.slice(2);
// `--version` and a command's `--help` answer before the CLI loads (src/cli/fast-path.ts)
if (!answerFast('mcp-migrate', argv)) {
  const { main } = await import('../src/cli/main.js');
  process.exitCode = await main('mcp-migrate', argv);
}
