import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN } from './helpers.js';

/** Environment for a spawned etlx: an empty HOME (no machine profiles.yml), no colour. */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const home = path.join(os.tmpdir(), 'etlx-e2e-home');
  fs.mkdirSync(home, { recursive: true });
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'ETLX_PROFILES_DIR') base[k] = v;
  return { ...base, HOME: home, NO_COLOR: '1', ...extra };
}

export interface Running {
  readonly child: ChildProcess;
  /** Resolves with the first stdout or stderr line that matches (rejects if etlx exits first). */
  waitForLine(re: RegExp): Promise<string>;
  /** Resolves with the exit code and everything printed. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Spawns `node bin/etlx.js ...args` and lets a test react to its output as it comes. */
export function startEtlx(args: readonly string[], cwd: string, env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { re: RegExp; resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const line = `${stdout}\n${stderr}`.split('\n').find((l) => w.re.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    check();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    check();
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`etlx exited (${code}) before printing ${w.re}:\n${stdout}\n${stderr}`));
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    done,
    waitForLine: (re) =>
      new Promise<string>((resolve, reject) => {
        waiters.push({ re, resolve, reject });
        check();
      }),
  };
}

/** Polls `condition` every 50 ms until it holds (a generous limit, never a fixed sleep). */
export async function until(condition: () => boolean, what: string, limitMs = 60_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The JSON events of target/logs/etlx.log. */
export function logEvents(dir: string): Record<string, unknown>[] {
  const file = path.join(dir, 'target', 'logs', 'etlx.log');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** Writes project files under `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const f = path.join(dir, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
  }
}

/** run_results.json as the nightly and trust-ops tests read it. */
export interface Results {
  metadata: { invocation_id: string };
  status: string;
  exit_code: number;
  args: Record<string, unknown>;
  results: { unique_id: string; status: string; message?: string | null }[];
}

export const runResults = (dir: string): Results => JSON.parse(fs.readFileSync(path.join(dir, 'target', 'run_results.json'), 'utf8')) as Results;
