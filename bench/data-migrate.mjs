// bench/data-migrate: `mcp data migrate` against the guide's filesystem-migration.sh doing the same job
// (rsync -a with the excludes, find … chmod 755/644, diff -qr), on the same generated tree, alternating
// runs. Ours verifies by SHA-256 and also sets the data link; the ratio says what that costs.
// Usage: npm run build && node bench/data-migrate.mjs [files=2000] [runs=3] [--json]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mcp = join(root, 'dist/bin/mcp.js');
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const files = Number(positional[0] ?? 2000);
const runs = Number(positional[1] ?? 3);
const work = mkdtempSync(join(tmpdir(), 'mcp-bench-data-'));
const source = join(work, 'source');
let bytes = 0;
for (let i = 0; i < files; i++) {
  const dir = join(source, 'services', `svc-${i % 20}`, `d${i % 7}`);
  mkdirSync(dir, { recursive: true });
  const size = 1024 + ((i * 7919) % 40_000);
  const buf = Buffer.alloc(size, i % 251);
  writeFileSync(join(dir, `f${i}.dat`), buf);
  bytes += size;
  if (i % 50 === 0) writeFileSync(join(dir, `f${i}.log`), 'log');
}
const guide = (target) => `set -e
SOURCE_PATH="${source}"; TARGET_PATH="${target}"
mkdir -p "$TARGET_PATH"/{services,configs,backups,logs}
rsync -a --exclude='*.tmp' --exclude='*.log' "$SOURCE_PATH/" "$TARGET_PATH/"
find "$TARGET_PATH" -type d -exec chmod 755 {} \\;
find "$TARGET_PATH" -type f -exec chmod 644 {} \\;
ln -sfn "$TARGET_PATH" "${work}/guide-link"
diff -qr "$SOURCE_PATH" "$TARGET_PATH" | grep -v "\\.log$" || true
`;
function time(cmd, args, env) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const home = join(work, 'home');
mkdirSync(join(home, 'config'), { recursive: true });
writeFileSync(join(home, 'config/platform.json'), '{"version":"5.0","services":[]}');
symlinkSync(source, join(home, 'data'));
const s = { guide: [], mcp: [] };
for (let i = 0; i < runs; i++) {
  const tg = join(work, `guide-${i}`);
  const tm = join(work, `mcp-${i}`);
  s.guide.push(time('bash', ['-c', guide(tg)]));
  s.mcp.push(time(process.execPath, [mcp, 'data', 'migrate', '--source', source, '--target', tm, '--no-link'], { MCP_HOME: home }));
  rmSync(tg, { recursive: true, force: true });
  rmSync(tm, { recursive: true, force: true });
}
const result = { files, megabytes: +(bytes / 1e6).toFixed(1), runs, guideMs: Math.round(median(s.guide)), mcpMs: Math.round(median(s.mcp)) };
result.ratio = +(result.mcpMs / result.guideMs).toFixed(2);
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(result) + '\n');
rmSync(work, { recursive: true, force: true });
