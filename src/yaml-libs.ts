// The two YAML libraries, loaded on first use (both are CommonJS under node, so a synchronous require does
// what the import did): `yaml` alone is 72 files, and most commands never read or write YAML — `mcp backup
// restore` of a JSON-configured home started 55 ms later for loading it (docs/performance.md).
import { createRequire } from 'node:module';
import type * as YamlLib from 'yaml';
import type JsYamlLib from 'js-yaml';

const require = createRequire(import.meta.url);
let yamlLib: typeof YamlLib | undefined;
let jsYamlLib: typeof JsYamlLib | undefined;

/** eemeli/yaml: documents with positions, comments kept when patched */
export const yamlDoc = (): typeof YamlLib => (yamlLib ??= require('yaml') as typeof YamlLib);
/** js-yaml: plain dumps */
export const jsYaml = (): typeof JsYamlLib => (jsYamlLib ??= require('js-yaml') as typeof JsYamlLib);
