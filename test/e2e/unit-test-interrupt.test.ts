/**
 * The stop signal reaches a unit test's private DuckDB: SIGTERM while a unit test's fixture query
 * runs (a cross join that would take hours) interrupts it, like a warehouse query. The signal is
 * sent once the unit test's START line is out; whether the query has begun then or not, it must
 * not run on.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ensureBuilt, readJson, removeTempDirs } from './helpers.js';
import { writeProject } from './async-cli.js';

const LONG = 'select count(*) as id from range(1000000) a(x) cross join range(100000000) b(y) where (x + y) % 7 = 3';

describe('SIGTERM during a unit test', () => {
  beforeAll(() => ensureBuilt());
  afterAll(() => removeTempDirs());

  it("interrupts the unit test's scratch query: exit 130, the unit test is an interrupted error, its model is skipped", async () => {
    const d = writeProject({
      'etlx.yml': 'name: uti\n',
      'seeds/src.csv': 'id\n1\n',
      'models/m.sql': '{{config materialized="table"}}\nselect id from {{ref "src"}}\n',
      'models/unit.yml': [
        'unit_tests:',
        '  - name: slow_fixture',
        '    model: m',
        '    given:',
        "      - input: ref('src')",
        '        format: sql',
        `        rows: "${LONG}"`,
        '    expect:',
        '      rows: [{id: 1}]',
      ].join('\n'),
    });
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('ETLX_')) env[k] = v;
    const child = spawn(process.execPath, [BIN, 'build', '--threads', '1'], { cwd: d, env: { ...env, NO_COLOR: '1', HOME: d }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    // Poll for the unit test's START line (no sleep as synchronisation), with a generous limit.
    const t0 = Date.now();
    while (!out.includes('START unit test m::slow_fixture')) {
      if (Date.now() - t0 > 60_000) {
        child.kill('SIGKILL');
        throw new Error(`the unit test did not start:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const signalled = Date.now();
    child.kill('SIGTERM');
    // Without the interrupt the query would run for hours: never leave it behind.
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await exited;
    clearTimeout(guard);
    // The query needs hours; an interrupted one ends at once (the limit is generous for a loaded machine).
    expect(Date.now() - signalled).toBeLessThan(30_000);
    expect(code, out).toBe(130);
    const results = readJson<{ exit_code: number; results: { name: string; resource_type: string; status: string; message: string | null }[] }>(path.join(d, 'target', 'run_results.json'));
    expect(results.exit_code).toBe(130);
    const byName = Object.fromEntries(results.results.map((r) => [`${r.resource_type}:${r.name}`, r]));
    expect(byName['unit_test:slow_fixture']).toMatchObject({ status: 'error', message: 'interrupted' });
    expect(byName['model:m']!.status).toBe('skipped');
  }, 120_000);
});
