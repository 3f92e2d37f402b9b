import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryFile } from '../integration/helpers.js';
import { etlxAsync, writeProject } from './async-cli.js';
import { ensureBuilt, readJson, removeTempDirs, STACK_LINE } from './helpers.js';

beforeAll(() => ensureBuilt());
afterAll(() => removeTempDirs());

/** on-run-end hooks that log the run and every result into tables, as an alerting job would read them. */
const LOG_HOOKS = [
  'on-run-end:',
  '  - "create table if not exists run_log (status varchar, command varchar, invocation_id varchar, started_at varchar, has_elapsed boolean)"',
  '  - "insert into run_log values ({{quote run.status}}, {{quote run.command}}, {{quote run.invocation_id}}, {{quote run.started_at}}, {{run.elapsed}} >= 0)"',
  '  - "create table if not exists result_log (unique_id varchar, name varchar, resource_type varchar, status varchar, message varchar, rows_affected bigint, has_time boolean)"',
  '  - "insert into result_log values {{#each results}}{{#unless @first}}, {{/unless}}({{quote unique_id}}, {{quote name}}, {{quote resource_type}}, {{quote status}}, {{quote message}}, {{#if rows_affected}}{{rows_affected}}{{else}}null{{/if}}, {{execution_time}} >= 0){{/each}}"',
].join('\n');

function project(models: Record<string, string>, etlxExtra = LOG_HOOKS): string {
  return writeProject({
    'etlx.yml': `name: ends\nmodels:\n  materialized: table\n${etlxExtra}\n`,
    'seeds/codes.csv': 'code\na\nb\n',
    ...models,
  });
}

const db = (d: string) => path.join(d, 'ends.duckdb');

describe('on-run-end sees run and results, and runs failed or not (spawned CLI)', () => {
  it('after a run where a node failed: run.status is error and results carry the failure', async () => {
    const d = project({
      'models/good.sql': 'select * from {{ref "codes"}}\n',
      'models/bad.sql': 'select no_such_column from {{ref "codes"}}\n',
    });
    const r = await etlxAsync(['build'], d);
    expect(r.stdout + r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(1);
    const invocation = readJson<{ metadata: { invocation_id: string } }>(path.join(d, 'target', 'run_results.json')).metadata.invocation_id;
    const run = await queryFile(db(d), 'select * from run_log');
    expect(run).toHaveLength(1);
    expect(run[0]).toMatchObject({ status: 'error', command: 'build', invocation_id: invocation, has_elapsed: true });
    expect(Number.isNaN(Date.parse(String(run[0]!.started_at)))).toBe(false);
    const results = await queryFile(db(d), 'select unique_id, name, resource_type, status, rows_affected, has_time, message from result_log order by unique_id');
    expect(results.map((x) => [x.unique_id, x.status, x.rows_affected, x.has_time])).toEqual([
      ['model.ends.bad', 'error', null, true],
      ['model.ends.good', 'success', 2, true],
      ['seed.ends.codes', 'success', 2, true],
    ]);
    expect(String(results[0]!.message)).toMatch(/Binder Error/);
    expect(results[1]).toMatchObject({ name: 'good', resource_type: 'model', message: '' });
  });

  it('run.status is warn when a test warned and nothing failed, success when all passed', async () => {
    const d = project({
      'models/good.sql': 'select * from {{ref "codes"}}\n',
      'models/props.yml': 'models:\n  - name: good\n    columns:\n      - name: code\n        tests:\n          - accepted_values: {values: [a], severity: warn}\n',
    });
    const r = await etlxAsync(['build'], d);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    fs.writeFileSync(path.join(d, 'models/props.yml'), 'models:\n  - name: good\n    columns:\n      - name: code\n        tests: [not_null]\n');
    expect((await etlxAsync(['build'], d)).code).toBe(0);
    expect((await queryFile(db(d), 'select status from run_log order by rowid')).map((x) => x.status)).toEqual(['warn', 'success']);
  });

  it('a failing on-run-end hook exits 1 with an ERROR line naming the hook; the nodes ran', async () => {
    const d = project({ 'models/good.sql': 'select * from {{ref "codes"}}\n' }, 'on-run-end:\n  - "select 1"\n  - "select nope from nowhere"');
    const r = await etlxAsync(['run', '--select', 'good'], d);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ERROR on-run-end hook 2/);
    expect(r.stderr).toMatch(/on-run-end hook failed: Catalog Error/);
    expect(r.stdout).toMatch(/Completed with errors/);
    const rr = readJson<{ status: string; exit_code: number }>(path.join(d, 'target', 'run_results.json'));
    expect(rr).toMatchObject({ status: 'error', exit_code: 1 });
  });

  it('an on-run-end hook that cannot be rendered fails at the end (exit 1), not before the run (exit 2)', async () => {
    const d = project({ 'models/good.sql': 'select * from {{ref "codes"}}\n' }, 'on-run-end: "select {{var \\"nope\\"}}"');
    const r = await etlxAsync(['build'], d);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/on-run-end hook failed: it cannot be rendered: var "nope" has no value/);
    expect(await queryFile(db(d), 'select count(*) as n from good')).toEqual([{ n: 2 }]);
  });

  it('--atomic: a failed run is rolled back first, then on-run-end runs and its rows persist', async () => {
    const d = project({
      'models/good.sql': 'select * from {{ref "codes"}}\n',
      'models/bad.sql': 'select no_such_column from {{ref "codes"}}\n',
    });
    const r = await etlxAsync(['build', '--atomic'], d);
    expect(r.code).toBe(1);
    expect(await queryFile(db(d), `select status from run_log`)).toEqual([{ status: 'error' }]);
    expect(await queryFile(db(d), `select count(*) as n from information_schema.tables where table_name in ('good', 'codes')`)).toEqual([{ n: 0 }]);
  });

  it('--atomic: a good run whose on-run-end fails is rolled back whole', async () => {
    const d = project({ 'models/good.sql': 'select * from {{ref "codes"}}\n' }, 'on-run-end: "select nope from nowhere"');
    const r = await etlxAsync(['build', '--atomic'], d);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/rolled back/);
    expect(await queryFile(db(d), `select count(*) as n from information_schema.tables where table_name in ('good', 'codes')`)).toEqual([{ n: 0 }]);
  });
});
