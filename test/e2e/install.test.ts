import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, removeTempDirs, tempDir } from './helpers.js';

/**
 * etlx installed the way a user installs it: `npm pack`, then the tarball installed globally into
 * a temp prefix, and as a dev dependency of another folder. `npm pack` once shipped no dist/
 * (it is gitignored), so the installed `etlx` could not start.
 *
 * The pack runs in a copy of the sources without dist/, so `prepare` really builds it (and the
 * suite's own dist/, which other tests are running, is never rewritten under them).
 */
const MINUTES = 60_000;

/** The environment without what `npm test` exported for this repo (its local prefix, ...) or a profiles dir. */
function npmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_userconfig', 'npm_config_globalconfig', 'npm_config_registry']);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k === 'ETLX_PROFILES_DIR' || (k.toLowerCase().startsWith('npm_') && !keep.has(k.toLowerCase()))) continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = npmEnv()): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 5 * MINUTES });
}

const shown = (r: SpawnSyncReturns<string>) => `exit ${r.status}\n${r.stdout}\n${r.stderr}`;

/**
 * `npm install` from the local cache. The tarballs of every dependency are there (the repo was
 * installed with npm ci), but a fresh install also needs each package's registry metadata, which
 * `npm ci` never fetches: without it in the cache, npm may fetch it once (--prefer-offline).
 */
function npmInstall(args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  const base = ['install', ...args, '--no-audit', '--no-fund'];
  const offline = run('npm', [...base, '--offline'], cwd, env);
  if (offline.status === 0 || !/ENOTCACHED/.test(offline.stderr)) return offline;
  return run('npm', [...base, '--prefer-offline'], cwd, env);
}

let tarball = '';

beforeAll(() => {
  const src = tempDir('etlx-pack-src-');
  for (const p of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'bin', 'src', 'scripts']) {
    fs.cpSync(path.join(REPO, p), path.join(src, p), { recursive: true });
  }
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(src, 'node_modules'));
  const out = tempDir('etlx-pack-');
  const r = run('npm', ['pack', '--pack-destination', out, '--json'], src);
  expect(r.status, shown(r)).toBe(0);
  const [info] = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as [{ filename: string; files: { path: string }[] }];
  const files = info.files.map((f) => f.path);
  expect(files).toContain('dist/cli/main.js');
  expect(files).toContain('bin/etlx.js');
  expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
  tarball = path.join(out, info.filename);
}, 10 * MINUTES);

afterAll(() => removeTempDirs());

describe('installed from the packed tarball', () => {
  it('npm install -g, then etlx init x && cd x && etlx build', { timeout: 10 * MINUTES }, () => {
    const prefix = tempDir('etlx-prefix-');
    const inst = npmInstall(['-g', '--prefix', prefix, tarball], prefix);
    expect(inst.status, shown(inst)).toBe(0);

    // `etlx` found on PATH, as a user types it; HOME empty so no ~/.etlx profile applies.
    const env = npmEnv({ PATH: `${path.join(prefix, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`, HOME: tempDir('etlx-home-') });
    const work = tempDir('etlx-global-');
    const init = run('etlx', ['init', 'x'], work, env);
    expect(init.status, shown(init)).toBe(0);
    expect(init.stdout).toContain('Next: cd x && etlx build\n');

    const build = run('etlx', ['build'], path.join(work, 'x'), env);
    expect(build.status, shown(build)).toBe(0);
    expect(fs.statSync(path.join(work, 'x', 'x.duckdb')).size).toBeGreaterThan(0);
  });

  it('npm install -D in another folder, then npx etlx build', { timeout: 10 * MINUTES }, () => {
    const repo = tempDir('etlx-consumer-');
    fs.writeFileSync(path.join(repo, 'package.json'), '{"name": "consumer", "version": "1.0.0", "private": true}\n');
    const inst = npmInstall(['-D', tarball], repo);
    expect(inst.status, shown(inst)).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')).devDependencies.etlx).toContain('.tgz');

    const env = npmEnv({ HOME: tempDir('etlx-home-') });
    const init = run('npx', ['--offline', 'etlx', 'init', 'warehouse'], repo, env);
    expect(init.status, shown(init)).toBe(0);
    expect(init.stdout).toContain('Next: cd warehouse && npx etlx build\n');

    const build = run('npx', ['--offline', 'etlx', 'build'], path.join(repo, 'warehouse'), env);
    expect(build.status, shown(build)).toBe(0);
    expect(fs.statSync(path.join(repo, 'warehouse', 'warehouse.duckdb')).size).toBeGreaterThan(0);
  });
});
