// `npm run schemas`: regenerate schemas/results/*.json from src/cli/results.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { pkgPath } from '../paths.js';
import { renderResultSchemas } from './results.js';

mkdirSync(pkgPath('schemas', 'results'), { recursive: true });
for (const { file, text } of renderResultSchemas()) {
  writeFileSync(pkgPath('schemas', file), text);
  process.stdout.write(`wrote schemas/${file}\n`);
}
