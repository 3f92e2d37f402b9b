import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, copyDemo, ensureBuilt, etlx, removeTempDirs, type CliResult } from './helpers.js';

/** The unbundled CLI: tsc's output (dist/cli/main.js), as ES modules, without the launcher's bundle. */
function etlxUnbundled(args: readonly string[], cwd: string): CliResult {
  const main = pathToFileURL(path.join(REPO, 'dist', 'cli', 'main.js')).href;
  const home = path.join(os.tmpdir(), 'etlx-e2e-home');
  fs.mkdirSync(home, { recursive: true });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'ETLX_PROFILES_DIR') env[k] = v;
  const r = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(main)}); process.exitCode = await main(process.argv.slice(1));`, '--', ...args],
    { cwd, encoding: 'utf8', env: { ...env, HOME: home, NO_COLOR: '1', UV_THREADPOOL_SIZE: '8' }, timeout: 60_000 },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// What differs between any two runs: ids, clocks and durations.
const VOLATILE = new Set(['generated_at', 'invocation_id', 'elapsed', 'timing', 'started_at', 'completed_at', 'execution_time']);
function stable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stable);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => !VOLATILE.has(k)).map(([k, x]) => [k, stable(x)]));
  return v;
}
// run_results' args record the project folder (absolute, so retry finds it): each run has its own.
const artifact = (dir: string, name: string) => stable(JSON.parse(fs.readFileSync(path.join(dir, 'target', name), 'utf8').replaceAll(dir, '<project>')));

/**
 * Every file under target/compiled and target/run, by relative path, with what differs between
 * two runs in two folders replaced: the project folder, and the invocation's id and start time
 * in temporary and exported file names.
 */
function sqlFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const sub of ['compiled', 'run']) {
    const root = path.join(dir, 'target', sub);
    if (!fs.existsSync(root)) continue;
    for (const f of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!f.isFile()) continue;
      const full = path.join(f.parentPath, f.name);
      out[path.relative(path.join(dir, 'target'), full)] = fs
        .readFileSync(full, 'utf8')
        .replaceAll(dir, '<project>')
        .replace(/etlx-tmp-[0-9a-f]{8}/g, 'etlx-tmp-<id>')
        // Staging names hash the output's absolute path and carry the invocation's id.
        .replace(/-[0-9a-f]{10}\.tmp-[0-9a-f]{8}/g, '-<hash>.tmp-<id>')
        .replace(/'\d{14}_[0-9a-f]{8}_\{i\}'/g, "'<time>_<id>_{i}'");
    }
  }
  return out;
}

beforeAll(() => ensureBuilt());
afterAll(() => removeTempDirs());

describe('the bundled CLI and the unbundled sources', () => {
  it('write identical artifacts for the demo (compile, then build)', () => {
    const bundled = copyDemo();
    const unbundled = copyDemo();
    for (const args of [['compile'], ['build', '--threads', '1']]) {
      const a = etlx(args, bundled);
      const b = etlxUnbundled(args, unbundled);
      expect(a.stderr).toBe(b.stderr);
      expect(b.code).toBe(a.code);
      expect(a.code).toBe(0);
    }
    expect(Object.keys(artifact(bundled, 'manifest.json') as object).length).toBeGreaterThan(0);
    expect(artifact(bundled, 'manifest.json')).toEqual(artifact(unbundled, 'manifest.json'));
    expect(artifact(bundled, 'run_results.json')).toEqual(artifact(unbundled, 'run_results.json'));
    const files = sqlFiles(bundled);
    expect(Object.keys(files).length).toBeGreaterThan(10);
    expect(files).toEqual(sqlFiles(unbundled));
  });
});
