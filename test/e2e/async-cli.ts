import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, tempDir } from './helpers.js';

/**
 * Runs `node bin/etlx.js ...args` without blocking the test's event loop (spawnSync would stall
 * an HTTP server the test runs in the same process). `stdin` is written and closed.
 */
export function etlxAsync(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const home = path.join(os.tmpdir(), 'etlx-e2e-home');
  fs.mkdirSync(home, { recursive: true });
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'ETLX_PROFILES_DIR' && !k.startsWith('ETLX_')) base[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...base, HOME: home, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A project in a fresh temp folder from a map of files. */
export function writeProject(files: Record<string, string>): string {
  const d = tempDir('etlx-e2e-ops-');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, rel)), { recursive: true });
    fs.writeFileSync(path.join(d, rel), text);
  }
  return d;
}
