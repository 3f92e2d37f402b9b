// Preloaded with `node --import ./bench/rss.mjs`: on exit, writes the process's peak RSS (KiB)
// to $BENCH_RSS_FILE, so the bench measures etlx and the baseline the same way without tools.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, String(process.resourceUsage().maxRSS));
  });
}
