// `mcp db ping`: can we reach the database, and what is it.
import type { Handler } from '../../cli/program.js';
import { openForCommand } from './common.js';
import { targetOf } from '../../db/open.js';

export const dbPingHandler: Handler<{ lockTimeout?: string }> = async (ctx, opts) => {
  const target = await targetOf({ home: ctx.home, env: ctx.env });
  const started = performance.now();
  const db = await openForCommand(ctx, opts);
  try {
    let server: string;
    if (db.kind === 'mongo') {
      await db.db.command({ ping: 1 });
      const info = await db.db.admin().command({ buildInfo: 1 }).catch(() => ({ version: 'unknown' }));
      server = `MongoDB ${info.version}`;
    } else {
      const r = await db.query<{ v: string }>('SELECT version() AS v');
      server = r.rows[0]!.v.split(' on ')[0]!.split(',')[0]!;
    }
    const ms = Math.round(performance.now() - started);
    ctx.log.log('info', 'db.ping', { database: db.display, ms });
    return {
      data: { ok: true, kind: db.kind, database: db.display, source: target.source, server, latencyMs: ms },
      text: `ok: ${db.kind} ${db.display} (${server}, from ${target.source === 'default' ? 'the embedded default' : target.source === 'env' ? 'MCP_DATABASE_URL' : 'the config'}) in ${ms} ms`,
    };
  } finally {
    await db.close();
  }
};
