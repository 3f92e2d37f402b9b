#!/usr/bin/env node
// Launcher: size libuv's thread pool before anything uses it (DuckDB queries run on it, and with
// too few threads file reads wait behind queries), then load the CLI: one CommonJS bundle
// (dist/etlx.cjs, `npm run build`) compiled through vm.Script with a V8 code cache, because Node
// 20 has no compile cache of its own and compiling the bundle is most of start-up.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

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

const bundle = fileURLToPath(new URL('../dist/etlx.cjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('etlx is not built yet: run `npm install` (or `npm run build`) in the etlx folder\n');
  process.exit(2);
}

const cacheFiles = cacheLocations(bundle);
const { script, cached, stamp } = compileBundle(bundle, cacheFiles);
const mod = { exports: {} };
script.runInThisContext()(mod.exports, createRequire(bundle), mod, bundle, path.dirname(bundle));
process.exitCode = await mod.exports.main(process.argv.slice(2), undefined, {
  earlySignal: () => earlySignal,
  releaseEarly: () => {
    process.off('SIGINT', onEarlySignal);
    process.off('SIGTERM', onEarlySignal);
  },
});
// After the run, so the cache holds the functions this command compiled lazily too.
if (!cached || script.cachedDataRejected) writeCache(cacheFiles, stamp, script);

/**
 * The bundle compiled (with the cache when there is one for it). In a function, so that only the
 * wrapped text V8 keeps for lazy compilation stays alive, not also the text as read: together
 * they were half of a small run's JavaScript heap.
 */
function compileBundle(file, cacheFiles) {
  const { source, stamp } = readBundle(file);
  const data = readCache(cacheFiles, stamp);
  // The wrapper is Node's own CommonJS wrapper, so the bundle sees require, module and __filename.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(data ? { cachedData: data } : {}),
  });
  return { script, cached: data !== undefined, stamp };
}

function readBundle(file) {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    // V8 checks a cache against the source's length only, so the cache also records which bundle
    // (size, mtime, inode) and which Node it was made for; anything else is not used.
    return { source: buf.toString('utf8', 0, off), stamp: `${process.version}:${process.arch}:${st.size}:${st.mtimeMs}:${st.ino}` };
  } finally {
    closeSync(fd);
  }
}

/** Next to the bundle, else (a global install in a read-only folder) in the user's cache folder. */
function cacheLocations(file) {
  const key = createHash('sha1').update(file).digest('hex').slice(0, 16);
  const base = process.env.XDG_CACHE_HOME || (process.platform === 'darwin' ? path.join(os.homedir(), 'Library', 'Caches') : process.platform === 'win32' ? process.env.LOCALAPPDATA || os.tmpdir() : path.join(os.homedir(), '.cache'));
  return [`${file}.cache`, path.join(base, 'etlx', `bundle-${key}.cache`)];
}

function readCache(files, stamp) {
  for (const f of files) {
    try {
      const data = readFileSync(f);
      const nl = data.indexOf(10);
      if (nl > 0 && data.toString('utf8', 0, nl) === stamp) return data.subarray(nl + 1);
    } catch {
      // Missing or unreadable: try the next place, else compile without a cache.
    }
  }
  return undefined;
}

/** Best effort: a cache that cannot be written only costs the next start-up its compile time. */
function writeCache(files, stamp, s) {
  let data;
  try {
    data = Buffer.concat([Buffer.from(`${stamp}\n`), s.createCachedData()]);
  } catch {
    return;
  }
  for (const f of files) {
    const tmp = `${f}.${process.pid}.tmp`;
    try {
      mkdirSync(path.dirname(f), { recursive: true });
      writeFileSync(tmp, data);
      renameSync(tmp, f);
      return;
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        // Nothing was written.
      }
    }
  }
}
