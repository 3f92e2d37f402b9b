#!/usr/bin/env node
// Launcher: size libuv's thread pool before anything uses it (DuckDB queries run on it, and with
// too few threads file reads wait behind queries), then load the compiled CLI.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// A SIGINT/SIGTERM while the CLI is still loading (a scheduler stopping a job at once) is kept
// and handed to the CLI, which stops cleanly with exit 130 instead of dying mid-start.
let earlySignal;
const onEarlySignal = (signal) => {
  earlySignal ??= signal;
};
process.on('SIGINT', onEarlySignal);
process.on('SIGTERM', onEarlySignal);
// Fault point for tests (see src/run/faults.ts): a signal while the CLI is still loading.
if (process.env.ETLX_FAULT === 'sigterm-in-launcher') process.kill(process.pid, 'SIGTERM');

if (!process.env.UV_THREADPOOL_SIZE) {
  const argv = process.argv;
  let threads = 4;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--threads' && argv[i + 1]) threads = Number(argv[i + 1]) || threads;
    else if (a.startsWith('--threads=')) threads = Number(a.slice('--threads='.length)) || threads;
  }
  process.env.UV_THREADPOOL_SIZE = String(Math.min(128, Math.max(8, threads + 4)));
}

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('etlx is not built yet: run `npm install` (or `npm run build`) in the etlx folder\n');
  process.exit(2);
}
const { main: run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2), undefined, {
  earlySignal: () => earlySignal,
  releaseEarly: () => {
    process.off('SIGINT', onEarlySignal);
    process.off('SIGTERM', onEarlySignal);
  },
});
