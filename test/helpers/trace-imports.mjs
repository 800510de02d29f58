// --import hook for tests: append every resolved module URL to $MCP_TRACE_IMPORTS — ES modules through a
// resolve hook, and CommonJS ones (a createRequire'd library, what packages require inside) through
// Module._resolveFilename, which every require() goes through.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';
register('data:text/javascript,' + encodeURIComponent(`
import { appendFileSync } from 'node:fs';
export async function resolve(spec, ctx, next) {
  const r = await next(spec, ctx);
  if (process.env.MCP_TRACE_IMPORTS) appendFileSync(process.env.MCP_TRACE_IMPORTS, r.url + '\\n');
  return r;
}`));
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const f = resolveFilename.apply(this, args);
  if (process.env.MCP_TRACE_IMPORTS && f.startsWith('/')) appendFileSync(process.env.MCP_TRACE_IMPORTS, pathToFileURL(f).href + '\n');
  return f;
};
