// Preloaded with `node -r` by bench/db.mjs: writes the process's peak RSS (bytes) to $BENCH_RSS_FILE on exit.
/* eslint-disable */
const fs = module.require('node:fs');
process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) fs.writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS * 1024));
});
