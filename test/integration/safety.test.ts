/**
 * Regression tests for issue 16's data-loss items: each test is named after what it protects.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

const projects: TestProject[] = [];
function project(name: string, files: Record<string, string>): TestProject {
  const p = new TestProject(name, files);
  projects.push(p);
  return p;
}
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});

describe('temporary relations and reserved schemas', () => {
  it("a user's model named etlx_new_inc survives a failed incremental run of inc", async () => {
    const p = project('tmp', {
      'models/etlx_new_inc.sql': '{{config materialized="table"}}\nselect 42 as keep',
      'models/inc.sql': '{{config materialized="incremental" incremental_strategy="append"}}\nselect {{var "v" 1}}::integer as v',
    });
    expect((await p.run('run')).code).toBe(0);
    // The second run is incremental and fails while staging its new rows.
    const r = await p.run('run', '--select', 'inc', '--vars', "{v: \"'x'\"}");
    expect(r.code, r.output).toBe(1);
    expect(await p.query('select keep from main.etlx_new_inc')).toEqual([{ keep: 42 }]);
    // No temporary relation is left in any schema of the warehouse.
    expect(await p.query(`select table_schema, table_name from information_schema.tables where table_name like 'etlx_new_%' and table_name <> 'etlx_new_inc'`)).toEqual([]);
  });

  it('a model in schema etlx_meta is a compile-time error (run history is never overwritten)', async () => {
    const p = project('meta', { 'models/invocations.sql': '{{config materialized="table" schema="etlx_meta"}}\nselect 1 as x' });
    const r = await p.run('build');
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain('which etlx reserves');
    expect(r.output).toContain('models/invocations.sql:1');
    expect(p.exists('meta.duckdb')).toBe(false);
  });

  it('a seed in schema ETLX_TEST_FAILURES (any case) is a compile-time error', async () => {
    const p = project('metaseed', { 'seeds/s.csv': 'a\n1\n', 'etlx.yml': 'name: metaseed\nseeds:\n  schema: ETLX_TEST_FAILURES\n' });
    const r = await p.run('seed');
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain('seeds/s.csv');
  });

  it('a model in schema etlx_tmp (ClickHouse drops etlx_ names there as leftovers) is a compile-time error on every engine', async () => {
    const p = project('tmpschema', { 'models/etlx_keep.sql': '{{config materialized="table" schema="etlx_tmp"}}\nselect 1 as x' });
    const r = await p.run('build');
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain('which etlx reserves');
    expect(r.output).toContain('models/etlx_keep.sql:1');
  });
});

describe('relation collisions', () => {
  it('an alias equal to another model (different case) is a compile-time error naming both files', async () => {
    const p = project('coll', {
      'models/a.sql': '{{config materialized="table"}}\nselect 1 as x',
      'models/b.sql': '{{config materialized="table" alias="A"}}\nselect 2 as x',
    });
    const r = await p.run('build');
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain('both build main.A');
    expect(r.output).toContain('models/a.sql');
    expect(r.output).toContain('models/b.sql');
  });

  it('a disabled model builds nothing, so it collides with nothing', async () => {
    const p = project('coll3', {
      'models/a.sql': '{{config materialized="table"}}\nselect 1 as x',
      'models/b.sql': '{{config materialized="table" alias="a" enabled=false}}\nselect 2 as x',
    });
    const r = await p.run('build');
    expect(r.code, r.output).toBe(0);
  });

  it('M.sql beside m.sql, and seeds X.csv beside x.csv, are compile-time errors', async () => {
    const p = project('coll2', {
      'models/M.sql': 'select 1 as x',
      'models/sub/m.sql': 'select 2 as x',
      'seeds/X.csv': 'a\n1\n',
      'seeds/more/x.csv': 'a\n2\n',
    });
    const r = await p.run('compile');
    expect(r.code, r.output).toBe(2);
    expect(r.output).toMatch(/models\/M\.sql.*models\/sub\/m\.sql/);
    expect(r.output).toMatch(/seeds\/X\.csv.*seeds\/more\/x\.csv|seeds\/more\/x\.csv.*seeds\/X\.csv/);
  });
});

describe('seeds', () => {
  it('a seed with an extra field on its last line fails its node at that line (header stays line 1)', async () => {
    const p = project('wide', { 'seeds/s.csv': 'id,name\n1,a\n2,b\n3,c,extra\n' });
    const r = await p.run('seed');
    expect(r.code, r.output).toBe(1);
    expect(p.result('s')!.status).toBe('error');
    expect(p.result('s')!.message).toContain('seeds/s.csv:4');
  });

  it('a good seed still loads, and a header-only seed loads 0 rows without error', async () => {
    const p = project('okseed', { 'seeds/s.csv': 'id,name\n1,a\n2,b\n', 'seeds/empty.csv': 'id,name\n' });
    const r = await p.run('seed');
    expect(r.code, r.output).toBe(0);
    expect(p.result('s')!.rows_affected).toBe(2);
    expect(p.result('empty')!.rows_affected).toBe(0);
  });
});

describe('row_count_change after an --atomic rollback', () => {
  it('the rolled-back count is not the baseline: the next ordinary build passes', async () => {
    const p = new TestProject(
      'rcc',
      {
        'models/m.sql': '{{config materialized="table"}}\nselect * from range({{var "n" 10}}) t(i)',
        'models/schema.yml': 'models:\n  - name: m\n    tests:\n      - row_count_change: {max_pct: 20}\n',
      },
      // on-run-end runs after every node: a failing one rolls an --atomic run back after the test passed.
      'name: rcc\non-run-end: ["select {{var \'end\' 1}}::integer"]\n',
    );
    projects.push(p);
    expect((await p.run('build')).code).toBe(0);
    // 12 rows pass against the committed 10 (20% of 10); the hook fails, so the run rolls back.
    const atomic = await p.run('build', '--atomic', '--vars', `{n: 12, end: "'x'"}`);
    expect(atomic.code, atomic.output).toBe(1);
    // The test passed, then --atomic undid the run: recorded as rolled back, so retry reruns it.
    expect(p.result('row_count_change_m')).toMatchObject({ status: 'skipped', message: expect.stringContaining('rolled back') });
    expect(await p.query('select count(*) as n from main.m')).toEqual([{ n: 10 }]);
    expect(await p.query(`select committed, rows_affected from etlx_meta.node_results where name = 'row_count_change_m' order by completed_at`)).toEqual([
      { committed: true, rows_affected: 10 },
      { committed: false, rows_affected: 12 },
    ]);
    // 9 rows: within 20% of the committed 10, but not of the rolled-back 12.
    const next = await p.run('build', '--vars', '{n: 9}');
    expect(next.code, next.output).toBe(0);
    expect(p.result('row_count_change_m')!.status).toBe('pass');
  });
});

describe('a column type change is a schema change', () => {
  const model = (mode: string) => `{{config materialized="incremental" on_schema_change="${mode}" incremental_strategy="append"}}\nselect {{var "amount" 10}} as amount`;

  it('INTEGER -> 10.75 under on_schema_change fail fails the node and leaves the table', async () => {
    const p = project('osc_fail', { 'models/m.sql': model('fail') });
    expect((await p.run('run')).code).toBe(0);
    const r = await p.run('run', '--vars', '{amount: 10.75}');
    expect(r.code, r.output).toBe(1);
    expect(r.output).toContain('changed type of amount (INTEGER -> DECIMAL(4,2))');
    expect(await p.query('select amount from main.m')).toEqual([{ amount: 10 }]);
  });

  it('sync_all_columns alters the type: 10.75 is stored as 10.75, not 11', async () => {
    const p = project('osc_sync', { 'models/m.sql': model('sync_all_columns') });
    expect((await p.run('run')).code).toBe(0);
    const r = await p.run('run', '--vars', '{amount: 10.75}');
    expect(r.code, r.output).toBe(0);
    expect(await p.query('select amount::varchar as a from main.m order by amount')).toEqual([{ a: '10.00' }, { a: '10.75' }]);
  });

  it('ignore warns that 10.75 is cast into an INTEGER column', async () => {
    const p = project('osc_ignore', { 'models/m.sql': model('ignore') });
    expect((await p.run('run')).code).toBe(0);
    const r = await p.run('run', '--vars', '{amount: 10.75}');
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/WARN.*column amount of "main"."m" is INTEGER but the new rows have DECIMAL\(4,2\)/);
  });
});

describe('store_failures', () => {
  it('a test that passes again leaves no stale failing rows', async () => {
    const p = project('sf', {
      'models/m.sql': '{{config materialized="table"}}\nselect * from (values (1), ({{var "dup" 1}})) t(id)',
      'models/schema.yml': 'models:\n  - name: m\n    columns:\n      - name: id\n        tests:\n          - unique: {store_failures: true}\n',
    });
    expect((await p.run('build')).code).toBe(1);
    expect(await p.query('select count(*) as n from etlx_test_failures.unique_m_id')).toEqual([{ n: 1 }]);
    const r = await p.run('build', '--vars', '{dup: 2}');
    expect(r.code, r.output).toBe(0);
    expect(await p.query(`select count(*) as n from information_schema.tables where table_schema = 'etlx_test_failures' and table_name = 'unique_m_id'`)).toEqual([{ n: 0 }]);
  });
});

describe('freshness errors point at sources.yml', () => {
  it('a missing staging file and a bad loaded_at_field name the source, its YAML file:line and a hint', async () => {
    const p = project('freshfail', {
      'models/sources.yml': [
        'sources:',
        '  - name: feed',
        '    freshness: {warn_after: {count: 24, period: hour}}',
        '    tables:',
        '      - name: gone',
        '        loaded_at_field: loaded_at',
        '        location: staging/gone/*.csv',
        '      - name: badfield',
        '        loaded_at_field: no_such_column',
        '        location: staging/b.csv',
        '',
      ].join('\n'),
      'staging/b.csv': 'id,loaded_at\n1,2024-01-01 00:00:00\n',
    });
    const r = await p.run('test');
    expect(r.code, r.output).toBe(1);
    const gone = p.result('gone', 'source')!.message!;
    expect(gone).toMatch(/source feed\.gone \(declared in models\/sources\.yml:5\)/);
    expect(gone).toMatch(/hint: no staging files match location staging\/gone\/\*\.csv/);
    const bad = p.result('badfield', 'source')!.message!;
    expect(bad).toMatch(/source feed\.badfield \(declared in models\/sources\.yml:8\)/);
    expect(bad).toContain('check loaded_at_field "no_such_column"');
  });
});

describe('hook SQL is parse-checked at compile time', () => {
  it('a pre_hook, a post_hook and an on-run-start hook with a syntax error are exit 2 before anything runs', async () => {
    const p = new TestProject(
      'hooks',
      {
        'models/m.sql': '{{config materialized="table" pre_hook="creat table x (a int)" post_hook="insert into main.m valuez (1)"}}\nselect 1 as a',
        'models/ok.sql': '{{config materialized="table" pre_hook="set threads = 2" post_hook="analyze main.ok; select 1"}}\nselect 1 as a',
      },
      'name: hooks\non-run-start: ["selec 1"]\n',
    );
    projects.push(p);
    const r = await p.run('build');
    expect(r.code, r.output).toBe(2);
    expect(r.output).toMatch(/pre_hook of model m: .*syntax error at or near "creat"/);
    expect(r.output).toMatch(/post_hook of model m: .*syntax error at or near "valuez"/);
    expect(r.output).toMatch(/on-run-start of the project: .*syntax error at or near "selec"/);
    expect(r.output).not.toMatch(/model ok/);
    expect(p.exists('hooks.duckdb')).toBe(false);
  });
});

describe('switching a model from table to file', () => {
  it('drops the table the model built, once the file is written', async () => {
    const p = project('switch', { 'models/m.sql': '{{config materialized="table"}}\nselect 1 as a' });
    expect((await p.run('build')).code).toBe(0);
    p.write({ 'models/m.sql': '{{config materialized="file" location="exports/m.parquet"}}\nselect 1 as a' });
    const r = await p.run('build');
    expect(r.code, r.output).toBe(0);
    expect(p.exists('exports/m.parquet')).toBe(true);
    expect(await p.query(`select count(*) as n from information_schema.tables where table_name = 'm'`)).toEqual([{ n: 0 }]);
  });

  it("leaves a table of that name that etlx did not build", async () => {
    const p = new TestProject('keep', { 'models/m.sql': '{{config materialized="file" location="exports/m.parquet"}}\nselect 1 as a' }, 'name: keep\non-run-start: ["create table if not exists main.m as select 42 as mine"]\n');
    projects.push(p);
    expect((await p.run('build')).code).toBe(0);
    expect((await p.run('build')).code).toBe(0);
    expect(await p.query('select mine from main.m')).toEqual([{ mine: 42 }]);
  });
});
