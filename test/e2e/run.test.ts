import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repo, 'bin', 'etlx.js');
const dirs: string[] = [];

function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'etlx-e2e-run-'));
  dirs.push(d);
  return d;
}

function etlx(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

/** A copy of the demo project at the repo root. */
function demoCopy(): string {
  const d = tempDir();
  for (const p of ['etlx.yml', 'models', 'seeds', 'staging', 'macros', 'tests']) cpSync(path.join(repo, p), path.join(d, p), { recursive: true });
  return d;
}

function writeProject(files: Record<string, string>): string {
  const d = tempDir();
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(d, rel)), { recursive: true });
    writeFileSync(path.join(d, rel), text);
  }
  return d;
}

beforeAll(() => {
  if (!existsSync(path.join(repo, 'dist', 'cli', 'main.js'))) spawnSync('npm', ['run', 'build'], { cwd: repo, stdio: 'inherit' });
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('etlx build on the demo project (spawned CLI)', () => {
  it('builds the whole demo, twice, with exit 0 and a summary', () => {
    const d = demoCopy();
    const first = etlx(['build'], d);
    expect(first.stderr).not.toMatch(/\n\s+at /);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Completed successfully/);
    expect(first.stdout).toMatch(/OK created table model main\.fct_orders \[600 rows in/);
    expect(existsSync(path.join(d, 'shop_warehouse.duckdb'))).toBe(true);
    expect(existsSync(path.join(d, 'exports', 'daily_revenue'))).toBe(true);
    const second = etlx(['build'], d);
    expect(second.code).toBe(0);
    const results = JSON.parse(readFileSync(path.join(d, 'target', 'run_results.json'), 'utf8'));
    expect(results.metadata.schema_version).toBe('etlx/run-results/v1');
    const statuses = new Set(results.results.map((r: { status: string }) => r.status));
    expect([...statuses].every((s) => ['success', 'pass', 'warn'].includes(s as string))).toBe(true);
    expect(results.results.some((r: { unique_id: string }) => r.unique_id === 'model.shop_warehouse.int_order_payments')).toBe(false);
  });

  it('prints one JSON object per line with --log-format json', () => {
    const d = demoCopy();
    const r = etlx(['run', '--select', 'stg_orders', '--log-format', 'json'], d);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events[0].type).toBe('run_start');
    expect(events.at(-1).type).toBe('run_end');
    expect(events.at(-1).exit_code).toBe(0);
    expect(events.filter((e) => e.type === 'node_end').map((e) => e.unique_id)).toEqual(['model.shop_warehouse.stg_orders']);
  });
});

describe('a run-time failure', () => {
  it('exits 1, skips downstream, keeps building siblings', () => {
    const d = writeProject({
      'etlx.yml': 'name: p\nmodels:\n  materialized: table\n',
      'models/good.sql': 'select 1 as id',
      'models/bad.sql': "select 'abc'::integer as id",
      'models/after_bad.sql': 'select * from {{ref "bad"}}',
      'models/after_good.sql': 'select * from {{ref "good"}}',
    });
    const r = etlx(['run'], d);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ERROR table model main\.bad/);
    // Failure text goes to stderr with every other error (issue 11: one stream for failures).
    expect(r.stderr).toMatch(/Could not convert string 'abc'/);
    expect(r.stdout).toMatch(/SKIP table model main\.after_bad/);
    expect(r.stdout).toMatch(/OK created table model main\.after_good/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('the warehouse lock', () => {
  it('fails at once with exit 2 naming the process that holds the file', async () => {
    const d = writeProject({ 'etlx.yml': 'name: locked\n', 'models/a.sql': 'select 1 as x' });
    const db = path.join(d, 'locked.duckdb');
    const holder = spawn(
      process.execPath,
      ['-e', `import('@duckdb/node-api').then(async ({DuckDBInstance}) => { const i = await DuckDBInstance.create(${JSON.stringify(db)}); globalThis.held = [i, await i.connect()]; console.log('ready'); setTimeout(() => {}, 60000); })`],
      { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => holder.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && resolve()));
      const r = etlx(['run'], d);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`locked by .*\\(PID ${holder.pid}\\)`));
      expect(r.stderr).toMatch(/hint: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

describe('SIGTERM during a run', () => {
  it('interrupts the running query, writes run_results, exits 130 and keeps the old table', async () => {
    const d = writeProject({
      'etlx.yml': 'name: sig\nmodels:\n  materialized: table\n',
      'models/slow.sql': '{{#if (eq (var "slow" "no") "yes")}}select count(*) as n from range(100000000000) a{{else}}select 42 as n{{/if}}',
      'models/after.sql': 'select * from {{ref "slow"}}',
    });
    expect(etlx(['run'], d).code).toBe(0);
    const child = spawn(process.execPath, [bin, 'run', '--vars', '{slow: "yes"}'], { cwd: d, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (out.includes('START table model main.slow')) {
          clearInterval(timer);
          setTimeout(resolve, 300);
        }
      }, 20);
    });
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(out).toMatch(/Interrupted/);
    const results = JSON.parse(readFileSync(path.join(d, 'target', 'run_results.json'), 'utf8'));
    const byName = Object.fromEntries(results.results.map((r: { name: string; status: string }) => [r.name, r.status]));
    expect(byName.slow).toBe('error');
    expect(byName.after).toBe('skipped');
    expect(results.exit_code).toBe(130);
    const shown = etlx(['show', 'slow'], d);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/42/);
  }, 60_000);
});
