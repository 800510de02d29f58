// `npm run schemas`: regenerate schemas/config-v*.json from the zod schemas.
import { mkdirSync, writeFileSync } from 'node:fs';
import { pkgPath } from '../paths.js';
import { renderAll } from './json-schema.js';

mkdirSync(pkgPath('schemas'), { recursive: true });
for (const { file, text } of renderAll()) {
  writeFileSync(pkgPath('schemas', file), text);
  process.stdout.write(`wrote schemas/${file}\n`);
}
