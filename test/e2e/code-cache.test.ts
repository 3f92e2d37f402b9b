import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, ensureBuilt, removeTempDirs, tempDir } from './helpers.js';

/**
 * bin/etlx.js compiles dist/etlx.cjs with a V8 code cache next to it, or in the user's cache
 * folder when dist/ cannot take it. The cache only saves time: wherever it cannot be written or
 * is damaged, etlx still runs and says the same. Root may write anywhere, so "cannot be written"
 * is made with a directory where the cache file would go, and a cache folder under a file.
 */
function install(): string {
  const d = tempDir('etlx-code-cache-');
  fs.mkdirSync(path.join(d, 'bin'));
  fs.mkdirSync(path.join(d, 'dist'));
  fs.copyFileSync(path.join(REPO, 'bin', 'etlx.js'), path.join(d, 'bin', 'etlx.js'));
  fs.copyFileSync(path.join(REPO, 'dist', 'etlx.cjs'), path.join(d, 'dist', 'etlx.cjs'));
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(d, 'package.json'));
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(d, 'node_modules'));
  return d;
}

function version(d: string, cacheHome: string) {
  const r = spawnSync(process.execPath, [path.join(d, 'bin', 'etlx.js'), '--version'], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cacheHome }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

beforeAll(() => ensureBuilt());
afterAll(() => removeTempDirs());

describe('the V8 code cache of the bundle', () => {
  it('is written next to the bundle, and a damaged one is replaced', () => {
    const d = install();
    const cache = path.join(d, 'dist', 'etlx.cjs.cache');
    expect(version(d, path.join(d, 'user-cache'))).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(fs.statSync(cache).size).toBeGreaterThan(1000);
    const stamp = fs.readFileSync(cache).subarray(0, fs.readFileSync(cache).indexOf(10) + 1);
    fs.writeFileSync(cache, Buffer.concat([stamp, Buffer.from('not a code cache')]));
    expect(version(d, path.join(d, 'user-cache'))).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(fs.readFileSync(cache).toString('latin1')).not.toContain('not a code cache');
    expect(fs.statSync(cache).size).toBeGreaterThan(1000);
  });

  it('goes to the user cache folder when dist/ cannot take it (a global install)', () => {
    const d = install();
    fs.mkdirSync(path.join(d, 'dist', 'etlx.cjs.cache'));
    const home = path.join(d, 'user-cache');
    expect(version(d, home)).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const files = fs.readdirSync(path.join(home, 'etlx'));
    expect(files.filter((f) => /^bundle-[0-9a-f]+\.cache$/.test(f))).toHaveLength(1);
    expect(version(d, home)).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('is not needed: nowhere writable, etlx runs all the same', () => {
    const d = install();
    fs.mkdirSync(path.join(d, 'dist', 'etlx.cjs.cache'));
    fs.writeFileSync(path.join(d, 'a-file'), '');
    for (let i = 0; i < 2; i++) expect(version(d, path.join(d, 'a-file', 'cache'))).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(fs.readdirSync(path.join(d, 'dist')).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});
