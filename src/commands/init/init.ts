// `mcp init`: an empty home at a platform version. Refuses to touch a home that already has a config.
import { join } from 'node:path';
import { readdir } from 'node:fs/promises';
import type { Handler } from '../../cli/program.js';
import { ensureLayout, layout } from '../../home.js';
import { writeFileAtomic, exists } from '../../fsutil.js';
import { preconditionError, invalidInput } from '../../errors.js';
import { resolveKnown } from '../../versions.js';
import { configFileName, emptyConfigText } from '../../config/empty.js';
import { ENVIRONMENTS } from '../../config/environment-names.js';

export const initHandler: Handler<{ version: string; env: string }> = async (ctx, opts) => {
  const version = resolveKnown(opts.version, '--version');
  if (!(ENVIRONMENTS as readonly string[]).includes(opts.env)) {
    throw invalidInput(`--env '${opts.env}' is not an environment`, { hint: `use one of ${ENVIRONMENTS.join(', ')}` });
  }
  const l = layout(ctx.home);
  for (const name of ['platform.yaml', 'platform.json']) {
    if (await exists(join(l.config, name))) {
      throw preconditionError(`${ctx.home} already holds a platform config (${join(l.config, name)})`, {
        hint: 'choose another directory with --home, or back it up and remove it first',
      });
    }
  }
  if ((await exists(ctx.home)) && (await readdir(ctx.home)).some((n) => n !== 'logs')) {
    ctx.out.warn(`${ctx.home} is not empty; adding the platform layout beside what is there`);
  }
  await ensureLayout(ctx.home);
  const configPath = join(l.config, configFileName(version));
  await writeFileAtomic(configPath, emptyConfigText(version, opts.env));
  ctx.log.log('info', 'home.init', { home: ctx.home, version });
  return {
    data: { home: ctx.home, version, environment: opts.env, config: configPath, layout: l },
    text: [`Created a ${version} platform home at ${ctx.home}`, `  config: ${configPath}`],
  };
};
