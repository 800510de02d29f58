// --import hook for tests: append every resolved module URL to $MCP_TRACE_IMPORTS.
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(`
import { appendFileSync } from 'node:fs';
export async function resolve(spec, ctx, next) {
  const r = await next(spec, ctx);
  if (process.env.MCP_TRACE_IMPORTS) appendFileSync(process.env.MCP_TRACE_IMPORTS, r.url + '\\n');
  return r;
}`));
