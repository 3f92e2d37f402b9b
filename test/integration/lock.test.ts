import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { TestProject } from './helpers.js';

const REPO = path.resolve(import.meta.dirname, '../..');

/**
 * A child process that opens the warehouse with DuckDB, prints "locked", and holds the file until
 * its stdin closes (or it is killed): provably busy for as long as the test wants, however
 * loaded the machine is.
 */
function holdOpen(file: string): Promise<ChildProcess> {
  const code = `
    import { DuckDBInstance } from '@duckdb/node-api';
    const db = await DuckDBInstance.create(${JSON.stringify(file)});
    const c = await db.connect();
    await c.run('select 1');
    process.stdout.write('locked\\n');
    process.stdin.resume();
    process.stdin.on('end', () => {
      c.closeSync();
      db.closeSync();
      process.stdout.write('released\\n');
      process.exit(0);
    });
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('locked')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`holder exited early (${code}): ${err}`)));
  });
}

/** Closes the holder's stdin and waits until it has released the file and exited. */
function release(holder: ChildProcess): Promise<void> {
  if (holder.exitCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => holder.on('exit', () => resolve()));
  holder.stdin!.end();
  return exited;
}

/** Runs etlx in this process, calling `onLine` with each line of output as it is written. */
async function runWatching(dir: string, args: readonly string[], onLine: (line: string) => void): Promise<{ code: number; output: string }> {
  let output = '';
  const sink = {
    write: (s: string) => {
      output += s;
      for (const l of s.split('\n')) if (l.length > 0) onLine(l);
    },
  };
  const code = await main([...args, '--project-dir', dir], { stdout: sink, stderr: sink, env: { HOME: dir, NO_COLOR: '1', PATH: process.env.PATH ?? '' } });
  return { code, output };
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
    await release(holder!);
    const r = await p.run('run');
    expect(r.code, r.output).toBe(0);
    expect(await p.query(`select count(*) as n from etlx_meta.invocations`)).toEqual([{ n: 2 }]);
  });

  it('--lock-timeout waits for the holder, says so once naming it, and runs when it lets go', async () => {
    const h = await holdOpen(p.db);
    let waits = 0;
    let released: Promise<void> | undefined;
    const r = await runWatching(p.dir, ['run', '--lock-timeout', '10m'], (line) => {
      if (!/WAIT .*locked by/.test(line)) return;
      waits++;
      expect(line).toContain(`PID ${h.pid}`);
      expect(line).toContain('waiting up to 10m for it (--lock-timeout)');
      released ??= release(h);
    });
    await released;
    expect(r.code, r.output).toBe(0);
    expect(waits).toBe(1);
    expect(await p.query(`select count(*) as n from etlx_meta.invocations`)).toEqual([{ n: 3 }]);
  });

  it('--lock-timeout that runs out is exit 2, naming the holder, and nothing ran', async () => {
    const before = p.read('target/run_results.json');
    const h = await holdOpen(p.db);
    try {
      const r = await p.run('run', '--lock-timeout', '300ms');
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`PID ${h.pid}`);
      expect(r.stderr).toContain('still after waiting 300ms (--lock-timeout)');
      expect(p.read('target/run_results.json')).toBe(before);
    } finally {
      await release(h);
    }
  });
});
