// `mcp help [command…]` and `mcp help exit-codes`.
import type { Register } from '../../cli/program.js';
import { findCommand, handle, leaf } from '../../cli/program.js';
import { usageError } from '../../errors.js';
import { EXIT_CODE_DOCS } from '../../cli/errors.js';

export const registerHelp: Register = (program, app) => {
  const cmd = leaf(program, {
    name: 'help [topic...]',
    description: 'help for a command, or a topic: exit-codes',
    examples: [`${app.bin} help exit-codes`, `${app.bin} help exit-codes --json`, ...(app.bin === 'mcp' ? ['mcp help init'] : [])],
  });
  handle(cmd, app, async () => async (ctx, _opts, args) => {
    if (args.length === 1 && args[0] === 'exit-codes') {
      const width = Math.max(...EXIT_CODE_DOCS.map((d) => d.name.length));
      return {
        data: { exitCodes: EXIT_CODE_DOCS },
        text: ['Exit codes:', ...EXIT_CODE_DOCS.map((d) => `  ${String(d.code).padStart(3)}  ${d.name.padEnd(width)}  ${d.meaning}`)],
      };
    }
    const target = args.length ? findCommand(program, args) : program;
    if (!target) throw usageError(`no command '${args.join(' ')}'`, { hint: `run '${ctx.bin} --help' to see the commands, or '${ctx.bin} help exit-codes'` });
    const text = target.helpInformation();
    // --json: the help text inside a document, like every other result
    return ctx.global.json ? { data: { command: args.join(' '), help: text } } : { raw: text };
  });
};
