#!/usr/bin/env node
// `mcp`: parse argv, run, set process.exitCode once. `--version` and `--help` answer before loading anything else.
import { answerFast } from '../src/cli/fast-path.js';

const argv = process.argv.slice(2);
// `--version` and a command's `--help` answer before the CLI loads (src/cli/fast-path.ts)
if (!answerFast('mcp', argv)) {
  const { main } = await import('../src/cli/main.js');
  process.exitCode = await main('mcp', argv);
}
