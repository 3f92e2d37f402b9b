import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryFile } from '../integration/helpers.js';
import { etlxAsync, writeProject } from './async-cli.js';
import { ensureBuilt, readJson, removeTempDirs, STACK_LINE } from './helpers.js';

interface Results {
  args: Record<string, unknown>;
  results: { name: string; status: string; attempts?: number; message?: string | null }[];
}

beforeAll(() => ensureBuilt());
afterAll(() => removeTempDirs());

function project(extraConfig = ''): string {
  return writeProject({
    'etlx.yml': `name: retr\nmodels:\n  materialized: table\n${extraConfig}`,
    'seeds/codes.csv': 'code\na\nb\n',
    'models/base.sql': 'select * from {{ref "codes"}}\n',
    'models/downstream.sql': 'select count(*) as n from {{ref "base"}}\n',
  });
}

const byName = (r: Results, name: string) => r.results.find((x) => x.name === name)!;

describe('retries of transient failures (spawned CLI, ETLX_FAULT)', () => {
  it('a node whose first attempt fails with an I/O error succeeds on the second, with attempts = 2 in run_results and history', async () => {
    const d = project('  retries: 2\n  retry_delay: 10ms\n');
    const r = await etlxAsync(['build'], d, { ETLX_FAULT: 'fail-first-attempt', ETLX_FAULT_NODE: 'base' });
    expect(r.stdout + r.stderr).not.toMatch(STACK_LINE);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/base: attempt 1 of 3 failed with a transient error, retrying in 0\.01s: IO Error: injected fault/);
    const rr = readJson<Results>(path.join(d, 'target', 'run_results.json'));
    expect(byName(rr, 'base')).toMatchObject({ status: 'success', attempts: 2 });
    expect(byName(rr, 'downstream')).toMatchObject({ status: 'success', attempts: 1 });
    expect(byName(rr, 'codes')).toMatchObject({ status: 'success', attempts: 1 });
    const rows = await queryFile(path.join(d, 'retr.duckdb'), `select name, status, attempts from etlx_meta.node_results where name in ('base', 'downstream') order by name`);
    expect(rows).toEqual([
      { name: 'base', status: 'success', attempts: 2 },
      { name: 'downstream', status: 'success', attempts: 1 },
    ]);
    expect(await queryFile(path.join(d, 'retr.duckdb'), 'select n from downstream')).toEqual([{ n: 2 }]);
  });

  it('--retries N applies to every node and is recorded in args; a transient failure on every attempt fails after N + 1', async () => {
    const d = project('  retry_delay: 0s\n');
    // The seed is loaded first: `run` refuses a model whose parent was never built.
    expect((await etlxAsync(['seed'], d)).code).toBe(0);
    const r = await etlxAsync(['run', '--retries', '1'], d, { ETLX_FAULT: 'fail-every-attempt', ETLX_FAULT_NODE: 'base' });
    expect(r.code).toBe(1);
    const rr = readJson<Results>(path.join(d, 'target', 'run_results.json'));
    expect(rr.args.retries).toBe(1);
    expect(byName(rr, 'base')).toMatchObject({ status: 'error', attempts: 2 });
    expect(byName(rr, 'base').message).toMatch(/IO Error: injected fault fail-every-attempt \(attempt 2\)/);
    expect(byName(rr, 'downstream')).toMatchObject({ status: 'skipped' });
    expect(byName(rr, 'downstream').attempts).toBeUndefined();
  });

  it('without retries a transient failure is not retried (attempts = 1)', async () => {
    const d = project();
    const r = await etlxAsync(['build'], d, { ETLX_FAULT: 'fail-first-attempt', ETLX_FAULT_NODE: 'base' });
    expect(r.code).toBe(1);
    expect(byName(readJson<Results>(path.join(d, 'target', 'run_results.json')), 'base')).toMatchObject({ status: 'error', attempts: 1 });
  });

  it('a binder error is never retried, even with retries set', async () => {
    const d = project('  retries: 3\n  retry_delay: 0s\n');
    writeProjectFile(d, 'models/base.sql', 'select no_such_column from {{ref "codes"}}\n');
    const r = await etlxAsync(['build'], d);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toMatch(/retrying/);
    const base = byName(readJson<Results>(path.join(d, 'target', 'run_results.json')), 'base');
    expect(base).toMatchObject({ status: 'error', attempts: 1 });
    expect(base.message).toMatch(/Binder Error/);
  });

  it('--atomic runs every node once: a failed statement aborts the run transaction, so nothing is retried', async () => {
    const d = project('  retries: 2\n  retry_delay: 0s\n');
    const r = await etlxAsync(['build', '--atomic'], d, { ETLX_FAULT: 'fail-first-attempt', ETLX_FAULT_NODE: 'base' });
    expect(r.code).toBe(1);
    expect(byName(readJson<Results>(path.join(d, 'target', 'run_results.json')), 'base')).toMatchObject({ status: 'error', attempts: 1 });
  });

  it('a warehouse whose history predates attempts gets the column added, and old rows keep NULL', async () => {
    const d = project();
    const db = path.join(d, 'retr.duckdb');
    await queryFile(db, `create schema etlx_meta; create table etlx_meta.node_results (
      invocation_id varchar, unique_id varchar, resource_type varchar, name varchar, relation varchar, status varchar,
      started_at timestamptz, completed_at timestamptz, elapsed_s double, rows_affected bigint, failures bigint, message varchar);
      insert into etlx_meta.node_results (invocation_id, name, status) values ('old', 'base', 'success')`);
    const r = await etlxAsync(['build'], d);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await queryFile(db, `select invocation_id = 'old' as old, attempts from etlx_meta.node_results where name = 'base' order by old desc`)).toEqual([
      { old: true, attempts: null },
      { old: false, attempts: 1 },
    ]);
  });

  it('a bad retries value or --retries is exit 2 before anything runs', async () => {
    const d = project('  retry_delay: soon\n');
    const r = await etlxAsync(['build'], d);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/retry_delay/);
    expect(r.stdout + r.stderr).toMatch(/duration such as 500ms, 30s, 2m or 1h/);
    const d2 = project();
    const r2 = await etlxAsync(['build', '--retries', 'many'], d2);
    expect(r2.code).toBe(2);
    expect(r2.stdout + r2.stderr).toMatch(/--retries must be a whole number/);
  });
});

function writeProjectFile(d: string, rel: string, text: string): void {
  fs.writeFileSync(path.join(d, rel), text);
}
