// `mcp services list [--format table|json|names]`: the configured services, without asking the runtime
// (--format json: a JSON list of them; --json: the result document with version and runtime),
// so the guide's `for service in $(mcp services list --format names)` works wherever the config is.
import type { Handler } from '../../cli/program.js';
import { usageError } from '../../errors.js';
import { redact } from '../../redact.js';
import { loadPlatform } from '../../runtime/index.js';
import { effectiveCheck } from '../../health/checks.js';
import { table } from './common.js';

const FORMATS = ['table', 'json', 'names'] as const;

export const listHandler: Handler<{ format?: string }> = async (ctx, opts) => {
  const format = opts.format ?? (ctx.global.json ? 'json' : 'table');
  if (!(FORMATS as readonly string[]).includes(format)) throw usageError(`--format '${format}' is not a format`, { hint: `use one of ${FORMATS.join(', ')}` });
  const platform = await loadPlatform(ctx.home);
  const services = platform.services.map((s) => ({
    name: s.name,
    type: s.type,
    image: s.image ?? null,
    ports: s.ports,
    transport: s.transport ?? null,
    healthCheck: effectiveCheck(s)?.type ?? null,
    dependsOn: s.dependsOn,
    replicas: s.replicas,
    environment: s.environment,
    volumes: s.volumes,
  }));
  const doc = { version: platform.version, runtime: platform.runtime.type, services };
  if (format === 'names') return { data: doc, raw: services.map((s) => `${s.name}\n`).join('') };
  // --format json is the list the guide saves (services-backup.json); --json is the result document
  // (version, runtime, services: schemas/results/services-list.json)
  if (opts.format === 'json') return { data: doc, raw: JSON.stringify(redact(services), null, 2) + '\n' };
  if (format === 'json') return { data: doc, raw: JSON.stringify(redact(doc), null, 2) + '\n' };
  if (!services.length) return { data: doc, text: `No services in ${platform.configPath}.` };
  return {
    data: doc,
    text: table(
      ['NAME', 'TYPE', 'IMAGE', 'PORTS', 'CHECK'],
      services.map((s) => [s.name, s.type, s.image ?? '-', s.ports.join(',') || '-', s.healthCheck ?? '-']),
    ),
  };
};
