import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

const REPO = path.resolve(import.meta.dirname, '../..');

/** A child process that opens the warehouse with DuckDB and holds it until killed. */
function holdOpen(file: string): Promise<ChildProcess> {
  const code = `
    import { DuckDBInstance } from '@duckdb/node-api';
    const db = await DuckDBInstance.create(${JSON.stringify(file)});
    const c = await db.connect();
    await c.run('select 1');
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`holder exited early (${code}): ${err}`)));
  });
}

describe('the warehouse lock', () => {
  let p: TestProject;
  let holder: ChildProcess | undefined;
  beforeAll(async () => {
    p = new TestProject('locked', { 'models/m.sql': `{{config materialized="table"}}\nselect 1 as x` });
    const r = await p.run('run');
    expect(r.code, r.output).toBe(0);
  });
  afterAll(() => {
    if (holder && holder.exitCode === null) holder.kill('SIGKILL');
    p.cleanup();
  });

  it('a run while another process holds the file exits 2 and names that process', async () => {
    const before = p.read('target/run_results.json');
    holder = await holdOpen(p.db);
    const r = await p.run('run');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/locked by/);
    expect(r.stderr).toContain(`PID ${holder.pid}`);
    expect(r.stderr).toContain('locked.duckdb');
    expect(r.stderr).toMatch(/hint:/);
    // Nothing ran: run_results is the previous run's.
    expect(p.read('target/run_results.json')).toBe(before);
    const show = await p.run('show', 'm');
    expect(show.code).toBe(2);
    expect(show.stderr).toContain(`PID ${holder.pid}`);
  });

  it('once the holder is gone, the next run works', async () => {
    const exited = new Promise((resolve) => holder!.on('exit', resolve));
    holder!.kill('SIGTERM');
    await exited;
    const r = await p.run('run');
    expect(r.code, r.output).toBe(0);
    expect(await p.query(`select count(*) as n from etlx_meta.invocations`)).toEqual([{ n: 2 }]);
  });
});
