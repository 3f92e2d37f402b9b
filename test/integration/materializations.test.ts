import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relations, TestProject } from './helpers.js';

describe('materializations over two runs', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('mats', {
      'models/base_table.sql': `{{config materialized="table"}}\nselect i as id, 'n' || i as label from range(1, 6) t(i)`,
      'models/base_view.sql': `{{config materialized="view"}}\nselect id, label, id * 10 as tens from {{ref "base_table"}}`,
      'models/eph.sql': `{{config materialized="ephemeral"}}\nselect id, tens from {{ref "base_view"}} where id > 2`,
      'models/uses_eph.sql': `{{config materialized="table"}}\nselect id, tens + 1 as tens_plus from {{ref "eph"}}`,
      'models/switcher.sql': `{{config materialized="table"}}\nselect id from {{ref "base_table"}} where id <= 3`,
    });
  });
  afterAll(() => p.cleanup());

  it('first run creates a table, a view, and inlines the ephemeral model', async () => {
    const r = await p.run('run');
    expect(r.code, r.output).toBe(0);
    const rels = await relations(p);
    expect(rels['main.base_table']).toBe('BASE TABLE');
    expect(rels['main.base_view']).toBe('VIEW');
    expect(rels['main.uses_eph']).toBe('BASE TABLE');
    expect(rels['main.switcher']).toBe('BASE TABLE');
    // No relation for the ephemeral model, under any name.
    expect(Object.keys(rels).filter((k) => k.includes('eph') && k !== 'main.uses_eph')).toEqual([]);

    const rows = await p.query(`select id, tens_plus from main.uses_eph order by id`);
    expect(rows).toEqual([
      { id: 3, tens_plus: 31 },
      { id: 4, tens_plus: 41 },
      { id: 5, tens_plus: 51 },
    ]);
    const view = await p.query(`select id, label, tens from main.base_view order by id`);
    expect(view).toHaveLength(5);
    expect(view[0]).toEqual({ id: 1, label: 'n1', tens: 10 });

    const rr = p.runResults();
    expect(rr.results.map((x) => x.name).sort()).toEqual(['base_table', 'base_view', 'switcher', 'uses_eph']);
    expect(rr.results.every((x) => x.status === 'success')).toBe(true);
    expect(p.result('base_table')!.rows_affected).toBe(5);
    expect(p.result('uses_eph')!.rows_affected).toBe(3);
    // The ephemeral model is inlined as a CTE in its consumer's executed SQL.
    const executed = p.read('target/run/models/uses_eph.sql');
    expect(executed).toContain('__etlx_cte__eph');
    expect(executed).toMatch(/create or replace table "main"."uses_eph"/);
  });

  it('a second run gives the same contents; a table<->view switch works', async () => {
    const before = await p.query(`select * from main.base_table order by id`);
    const beforeEph = await p.query(`select * from main.uses_eph order by id`);
    // switcher: table -> view; base_view: view -> table.
    p.write({
      'models/switcher.sql': `{{config materialized="view"}}\nselect id from {{ref "base_table"}} where id <= 3`,
      'models/base_view.sql': `{{config materialized="table"}}\nselect id, label, id * 10 as tens from {{ref "base_table"}}`,
    });
    const r = await p.run('run');
    expect(r.code, r.output).toBe(0);
    const rels = await relations(p);
    expect(rels['main.switcher']).toBe('VIEW');
    expect(rels['main.base_view']).toBe('BASE TABLE');
    expect(await p.query(`select * from main.base_table order by id`)).toEqual(before);
    expect(await p.query(`select * from main.uses_eph order by id`)).toEqual(beforeEph);
    expect(await p.query(`select id from main.switcher order by id`)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(p.result('base_view')!.rows_affected).toBe(5);

    // And back again: view -> table, table -> view.
    p.write({
      'models/switcher.sql': `{{config materialized="table"}}\nselect id from {{ref "base_table"}} where id <= 2`,
      'models/base_view.sql': `{{config materialized="view"}}\nselect id, label, id * 10 as tens from {{ref "base_table"}}`,
    });
    const r2 = await p.run('run');
    expect(r2.code, r2.output).toBe(0);
    const rels2 = await relations(p);
    expect(rels2['main.switcher']).toBe('BASE TABLE');
    expect(rels2['main.base_view']).toBe('VIEW');
    expect(await p.query(`select id from main.switcher order by id`)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await p.query(`select count(*) as n from main.uses_eph`)).toEqual([{ n: 3 }]);
  });

  it('a model schema config creates the schema; alias names the relation', async () => {
    p.write({ 'models/aliased.sql': `{{config materialized="table" schema="marts" alias="the_alias"}}\nselect 1 as x` });
    const r = await p.run('run', '--select', 'aliased');
    expect(r.code, r.output).toBe(0);
    expect(await p.query(`select x from marts.the_alias`)).toEqual([{ x: 1 }]);
    expect(p.result('aliased')!.relation_name).toBe('"marts"."the_alias"');
    p.remove('models/aliased.sql');
  });
});

describe('hooks', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject(
      'hooks',
      {
        'models/hooked.sql': [
          `{{config materialized="table" pre_hook="insert into main.audit values ('pre', (select count(*) from main.audit))" post_hook="insert into main.audit select 'post', count(*) from main.hooked"}}`,
          `select i as id from range(4) t(i)`,
        ].join('\n'),
        'models/other.sql': `{{config materialized="view"}}\nselect 1 as one`,
      },
      [
        'name: hooks',
        'on-run-start:',
        '  - "create table if not exists main.audit (what varchar, n bigint)"',
        `  - "insert into main.audit values ('run-start', 0)"`,
        'on-run-end:',
        `  - "insert into main.audit values ('run-end', 0)"`,
        '',
      ].join('\n'),
    );
  });
  afterAll(() => p.cleanup());

  it('runs on-run-start, pre_hook, the model, post_hook (which sees the new table) and on-run-end in order', async () => {
    const r = await p.run('run');
    expect(r.code, r.output).toBe(0);
    const rows = await p.query(`select what, n from main.audit order by rowid`);
    expect(rows).toEqual([
      { what: 'run-start', n: 0 },
      { what: 'pre', n: 1 },
      { what: 'post', n: 4 },
      { what: 'run-end', n: 0 },
    ]);
    const executed = p.read('target/run/models/hooked.sql');
    expect(executed.indexOf("insert into main.audit values ('pre'")).toBeLessThan(executed.indexOf('create or replace table'));
    expect(executed.indexOf('create or replace table')).toBeLessThan(executed.indexOf("'post'"));
  });

  it('hooks run again on the second run (append to the audit table)', async () => {
    const r = await p.run('run');
    expect(r.code, r.output).toBe(0);
    const rows = await p.query(`select what, count(*) as n from main.audit group by what order by what`);
    expect(rows).toEqual([
      { what: 'post', n: 2 },
      { what: 'pre', n: 2 },
      { what: 'run-end', n: 2 },
      { what: 'run-start', n: 2 },
    ]);
  });

  it('a failing post_hook fails the model and rolls back its build', async () => {
    p.write({
      'models/hooked.sql': `{{config materialized="table" post_hook="select 'x'::integer"}}\nselect i as id from range(10) t(i)`,
    });
    const r = await p.run('run');
    expect(r.code).toBe(1);
    expect(p.result('hooked')!.status).toBe('error');
    expect(p.result('other')!.status).toBe('success');
    // The old table (4 rows) is intact: the hook ran in the model's transaction.
    expect(await p.query(`select count(*) as n from main.hooked`)).toEqual([{ n: 4 }]);
    // on-run-end runs at the end of every run that ran nodes, failed or not (product.md, Operations).
    expect(await p.query(`select count(*) as n from main.audit where what = 'run-end'`)).toEqual([{ n: 3 }]);
  });
});

describe('failing on-run-start / on-run-end hooks', () => {
  let p: TestProject;
  const yml = (start: string, end: string) =>
    ['name: badhooks', 'on-run-start:', `  - "${start}"`, 'on-run-end:', `  - "${end}"`, ''].join('\n');
  beforeAll(() => {
    p = new TestProject('badhooks', { 'models/m.sql': `{{config materialized="table"}}\nselect 1 as x`, 'models/n.sql': `select * from {{ref "m"}}` });
  });
  afterAll(() => p.cleanup());

  it('a failing on-run-start hook runs no node, exits 1 and still writes run_results and history', async () => {
    p.write({ 'etlx.yml': yml('select nope from nowhere', 'select 1') });
    const r = await p.run('run');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/on-run-start hook failed: Catalog Error/);
    expect(r.stderr).toContain('SQL: select nope from nowhere');
    expect(r.output).not.toMatch(/internal|bug in etlx/);
    expect(p.statuses()).toEqual({ m: 'skipped', n: 'skipped' });
    expect(p.result('m')!.message).toBe('skipped: the on-run-start hook failed');
    expect(p.runResults().exit_code).toBe(1);
    expect(await p.query(`select table_name from information_schema.tables where table_schema = 'main'`)).toEqual([]);
    expect(await p.query(`select command, exit_code, nodes from etlx_meta.invocations`)).toEqual([{ command: 'run', exit_code: 1, nodes: 2 }]);
  });

  it('retry after fixing the hook runs everything', async () => {
    p.write({ 'etlx.yml': yml('select 1', 'select 1') });
    const r = await p.run('retry');
    expect(r.code, r.output).toBe(0);
    expect(p.statuses()).toEqual({ m: 'success', n: 'success' });
  });

  it('a failing on-run-end hook exits 1; the nodes that ran are recorded', async () => {
    p.write({ 'etlx.yml': yml('select 1', 'select nope from nowhere') });
    const r = await p.run('run');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/on-run-end hook failed/);
    expect(p.statuses()).toEqual({ m: 'success', n: 'success' });
    expect(p.runResults().exit_code).toBe(1);
    expect(p.runResults().status).toBe('error');
    expect(await p.query(`select count(*) as n from etlx_meta.invocations`)).toEqual([{ n: 3 }]);
  });
});

