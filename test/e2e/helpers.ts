import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Helpers for tests that spawn the built CLI (`node bin/etlx.js`). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(REPO, 'bin', 'etlx.js');

/** Builds dist/ once if it is missing (the CLI launcher runs the compiled code). */
export function ensureBuilt(): void {
  if (fs.existsSync(path.join(REPO, 'dist', 'cli', 'main.js')) && fs.existsSync(path.join(REPO, 'dist', 'etlx.cjs'))) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
}

const created: string[] = [];

/** A fresh temp folder (realpath, so paths printed by the CLI compare equal); see removeTempDirs. */
export function tempDir(prefix = 'etlx-e2e-'): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  created.push(d);
  return d;
}

export function removeTempDirs(): void {
  for (const d of created.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node bin/etlx.js ...args` in `cwd`. HOME points at an empty folder so a profiles.yml in
 * the real ~/.etlx cannot change the outcome; colour is off.
 */
export function etlx(args: readonly string[], cwd: string, env: Record<string, string> = {}): CliResult {
  const home = path.join(os.tmpdir(), 'etlx-e2e-home');
  fs.mkdirSync(home, { recursive: true });
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'ETLX_PROFILES_DIR') base[k] = v;
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...base, HOME: home, NO_COLOR: '1', ...env },
    timeout: 60_000,
    // A hung etlx must fail the test, not block it: its SIGTERM handler may never get to run.
    killSignal: 'SIGKILL',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The demo project at the repo root, copied without target/ or any warehouse file. */
export function copyDemo(): string {
  const d = tempDir('etlx-e2e-demo-');
  for (const p of ['etlx.yml', 'profiles.example.yml', 'models', 'macros', 'tests', 'seeds', 'staging']) {
    fs.cpSync(path.join(REPO, p), path.join(d, p), { recursive: true });
  }
  return d;
}

/** A fixture project from test/fixtures/compile/<kind>/<name>, copied without expected.json. */
export function copyFixture(kind: 'valid' | 'broken', name: string): string {
  const d = tempDir(`etlx-e2e-${name}-`);
  fs.cpSync(path.join(REPO, 'test', 'fixtures', 'compile', kind, name), d, { recursive: true, filter: (src) => path.basename(src) !== 'expected.json' });
  return d;
}

export function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** Non-empty output lines. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}

/** A stack trace line as Node prints it. */
export const STACK_LINE = /\n\s+at /;
