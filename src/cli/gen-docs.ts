// `npm run docs`: regenerate docs/commands.md from the commander tree.
import { writeFileSync } from 'node:fs';
import { renderCommandsMarkdown } from './commands-doc.js';
import { pkgPath } from '../paths.js';

writeFileSync(pkgPath('docs', 'commands.md'), renderCommandsMarkdown());
process.stdout.write('wrote docs/commands.md\n');
