// Writes schemas/plan*.json from the zod schemas (node dist/src/run/gen-plan-schemas.js).
import { writeFileSync, mkdirSync } from 'node:fs';
import { pkgPath } from '../paths.js';
import { renderPlanSchemas } from './plan-formats.js';

mkdirSync(pkgPath('schemas'), { recursive: true });
for (const s of renderPlanSchemas()) writeFileSync(pkgPath('schemas', s.file), s.text);
