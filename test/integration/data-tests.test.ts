import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

const PROPS = `version: 2
models:
  - name: good
    tests:
      - row_count: {min: 1, max: 10}
      - row_count: {equals: 5}
      - row_count_matches: {model: parent}
      - expression_is_true: {expression: "amount = id * 10"}
    columns:
      - name: id
        tests: [not_null, unique, {relationships: {to: parent, field: id}}]
      - name: kind
        tests:
          - accepted_values: {values: [a, b]}
      - name: amount
        tests:
          - expression_is_true: {expression: "> 0"}
  - name: bad
    tests:
      - row_count: {max: 2}
      - row_count: {min: 10}
      - row_count: {equals: 3}
      - row_count_matches: {model: parent}
      - row_count_matches: {model: parent, tolerance_pct: 25}
    columns:
      - name: id
        tests:
          - not_null
          - unique: {store_failures: true}
          - relationships: {to: parent, field: id}
      - name: kind
        tests:
          - accepted_values: {values: [a, b]}
          - accepted_values: {values: [a, b, c], severity: warn}
      - name: amount
        tests:
          - expression_is_true: {expression: ">= 0"}
  - name: thr
    columns:
      - name: x
        tests:
          - not_null: {warn_if: "> 1", error_if: "> 5"}
          - not_null: {error_if: "> 2"}
          - not_null: {warn_if: "> 10", error_if: "> 10"}
          - not_null: {error_if: ">= 3", severity: warn}
`;

describe('data tests', () => {
  let p: TestProject;
  beforeAll(async () => {
    p = new TestProject('dt', {
      'models/parent.sql': `{{config materialized="table"}}\nselect i as id from range(1, 6) t(i)`,
      'models/good.sql': `{{config materialized="table"}}\nselect i as id, case when i % 2 = 0 then 'a' else 'b' end as kind, i * 10 as amount from range(1, 6) t(i)`,
      'models/bad.sql': `{{config materialized="table"}}\nselect * from (values (1, 'a', 10), (1, 'z', -5), (null, 'b', 3), (7, 'a', 1)) t(id, kind, amount)`,
      'models/thr.sql': `{{config materialized="view"}}\nselect case when i < 3 then null else i end as x from range(0, 8) t(i)`,
      'models/props.yml': PROPS,
      'tests/assert_no_negative.sql': `-- amounts are never negative\nselect id, amount from {{ref "bad"}} where amount < 0`,
      'tests/assert_good_positive.sql': `select * from {{ref "good"}} where amount <= 0`,
    });
    const r = await p.run('run');
    expect(r.code, r.output).toBe(0);
  });
  afterAll(() => p.cleanup());

  let out = '';
  let code = -1;
  it('etlx test runs every test and exits 1 on an error-severity failure', async () => {
    const r = await p.run('test');
    out = r.output;
    code = r.code;
    expect(code).toBe(1);
    const rr = p.runResults();
    expect(rr.metadata.command).toBe('test');
    expect(rr.results.every((x) => x.resource_type === 'test')).toBe(true);
  });

  it('every generic test type passes on good data', () => {
    const st = p.statuses();
    for (const name of [
      'not_null_good_id',
      'unique_good_id',
      'relationships_good_id',
      'accepted_values_good_kind',
      'expression_is_true_good_amount',
      'expression_is_true_good',
      'row_count_good',
      'row_count_good_2',
      'row_count_matches_good',
      'assert_good_positive',
    ]) {
      expect(st[name], name).toBe('pass');
      expect(p.result(name)!.failures, name).toBe(0);
    }
  });

  it('every generic test type fails on bad data, with the failing-row count', () => {
    const expected: Record<string, number> = {
      not_null_bad_id: 1,
      unique_bad_id: 1,
      relationships_bad_id: 1,
      accepted_values_bad_kind: 1,
      expression_is_true_bad_amount: 1,
      row_count_bad: 1,
      row_count_bad_2: 1,
      row_count_bad_3: 1,
      row_count_matches_bad: 1,
      assert_no_negative: 1,
    };
    for (const [name, failures] of Object.entries(expected)) {
      const r = p.result(name)!;
      expect(r, name).toBeDefined();
      expect(r.status, name).toBe('fail');
      expect(r.failures, name).toBe(failures);
      expect(r.message, name).toMatch(/1 failing row/);
    }
    // 4 rows against 5, within 25%.
    expect(p.result('row_count_matches_bad_2')!.status).toBe('pass');
    // Messages point at the file and line of the test.
    expect(p.result('not_null_bad_id')!.message).toMatch(/models\/props\.yml:\d+/);
    expect(p.result('assert_no_negative')!.message).toContain('tests/assert_no_negative.sql');
  });

  it('severity warn gives status warn; warn_if / error_if thresholds decide the status', () => {
    expect(p.result('accepted_values_bad_kind_2')!.status).toBe('warn');
    expect(p.result('accepted_values_bad_kind_2')!.failures).toBe(1);
    // thr.x has 3 nulls.
    expect(p.result('not_null_thr_x')!.status).toBe('warn'); // > 1 warns, > 5 errors
    expect(p.result('not_null_thr_x_2')!.status).toBe('fail'); // > 2 errors
    expect(p.result('not_null_thr_x_3')!.status).toBe('pass'); // > 10 for both
    expect(p.result('not_null_thr_x_3')!.failures).toBe(3);
    expect(p.result('not_null_thr_x_4')!.status).toBe('warn'); // error_if hit, but severity warn
  });

  it('store_failures keeps the failing rows in etlx_test_failures.<name>', async () => {
    expect(p.result('unique_bad_id')!.message).toMatch(/stored in etlx_test_failures\.unique_bad_id/);
    expect(await p.query(`select unique_field, n_records from etlx_test_failures.unique_bad_id`)).toEqual([{ unique_field: 1, n_records: 2 }]);
    const tables = await p.query(`select table_name as t from information_schema.tables where table_schema = 'etlx_test_failures'`);
    expect(tables).toEqual([{ t: 'unique_bad_id' }]);
  });

  it('the output shows failing rows', () => {
    expect(out).toMatch(/FAIL test accepted_values_bad_kind/);
    expect(out).toMatch(/value_field\s*\|\s*n_records/);
    expect(out).toMatch(/\bz\s*\|\s*1\b/);
    expect(out).toMatch(/WARN test accepted_values_bad_kind_2/);
    expect(out).toMatch(/id\s*\|\s*amount[\s\S]*\b1\s*\|\s*-5\b/);
  });

  it('only warnings: etlx test exits 0 with status warn', async () => {
    const r = await p.run('test', '--select', 'accepted_values_bad_kind_2', 'not_null_thr_x', 'unique_good_id');
    expect(r.code, r.output).toBe(0);
    expect(p.statuses()).toEqual({ accepted_values_bad_kind_2: 'warn', not_null_thr_x: 'warn', unique_good_id: 'pass' });
    expect(p.runResults().exit_code).toBe(0);
  });

  it('row_count_change compares with the last successful run from history', async () => {
    p.write({
      'models/grow.sql': `{{config materialized="table"}}\nselect i as id from range({{var "n" 10}}) t(i)`,
      'models/grow.yml': `models:\n  - name: grow\n    tests:\n      - row_count_change: {max_pct: 20}\n`,
    });
    const run = async (n: number) => {
      const r = await p.run('build', '--select', 'grow', '--vars', `{n: ${n}}`);
      return { r, res: p.result('row_count_change_grow')! };
    };
    const first = await run(10); // no history yet: passes
    expect(first.r.code, first.r.output).toBe(0);
    expect(first.res.status).toBe('pass');
    expect(first.res.rows_affected).toBe(10);
    const second = await run(11); // +10%
    expect(second.res.status).toBe('pass');
    expect(second.r.code).toBe(0);
    const third = await run(20); // +82% against 11
    expect(third.r.code).toBe(1);
    expect(third.res.status).toBe('fail');
    expect(third.r.output).toMatch(/row_count\s*\|\s*previous_row_count[\s\S]*20\s*\|\s*11/);
    const fourth = await run(12); // against 11 (the failed run is not a baseline): +9%
    expect(fourth.res.status).toBe('pass');
    const hist = await p.query(
      `select rows_affected as n, status from etlx_meta.node_results where unique_id = 'test.dt.row_count_change_grow' order by completed_at`,
    );
    expect(hist).toEqual([
      { n: 10, status: 'pass' },
      { n: 11, status: 'pass' },
      { n: 20, status: 'fail' },
      { n: 12, status: 'pass' },
    ]);
  });
});

describe('build with a failing test, then retry', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('bld', {
      'models/sources.yml': `sources:\n  - name: raw\n    tables:\n      - name: status\n        location: staging/status.csv\n      - name: extra\n        location: staging/extra.csv\n`,
      'models/stg_status.sql': `{{config materialized="view"}}\nselect id, status from {{source "raw" "status"}}`,
      'models/stg_status.yml': [
        'models:',
        '  - name: stg_status',
        '    columns:',
        '      - name: status',
        '        tests:',
        '          - accepted_values: {values: [ok, late]}',
        '',
      ].join('\n'),
      'models/mart_a.sql': `{{config materialized="table"}}\nselect status, count(*) as n from {{ref "stg_status"}} group by status`,
      'models/mart_b.sql': `{{config materialized="table"}}\nselect a.status, a.n, (select max(v::integer) from {{source "raw" "extra"}}) as v from {{ref "mart_a"}} as a`,
      'models/other.sql': `{{config materialized="table"}}\nselect 42 as answer`,
      'staging/status.csv': 'id,status\n1,ok\n2,late\n3,bogus\n',
      'staging/extra.csv': 'v\nx\n',
    });
  });
  afterAll(() => p.cleanup());

  it('a failing accepted_values test on a staging model fails the build and skips downstream', async () => {
    const r = await p.run('build');
    expect(r.code).toBe(1);
    expect(p.statuses()).toEqual({
      stg_status: 'success',
      accepted_values_stg_status_status: 'fail',
      mart_a: 'skipped',
      mart_b: 'skipped',
      other: 'success',
    });
    expect(p.result('mart_a')!.message).toMatch(/accepted_values_stg_status_status failed/);
    expect(p.runResults().status).toBe('error');
    expect(p.runResults().exit_code).toBe(1);
    const rels = await p.query(`select table_name as t from information_schema.tables where table_schema = 'main' order by 1`);
    expect(rels).toEqual([{ t: 'other' }, { t: 'stg_status' }]);
  });

  it('after fixing the data, etlx retry runs what failed or was skipped, with the same command', async () => {
    p.write({ 'staging/status.csv': 'id,status\n1,ok\n2,late\n3,ok\n' });
    const first = p.runResults().metadata.invocation_id;
    const r = await p.run('retry');
    expect(r.code).toBe(1); // mart_b still fails: extra.csv holds 'x'
    const rr = p.runResults();
    expect(rr.metadata.command).toBe('build');
    expect(rr.args.retry_of).toBe(first);
    expect(p.statuses()).toEqual({ accepted_values_stg_status_status: 'pass', mart_a: 'success', mart_b: 'error' });
    expect(await p.query(`select status, n from main.mart_a order by status`)).toEqual([
      { status: 'late', n: 1 },
      { status: 'ok', n: 2 },
    ]);
  });

  it('a retry of a retry runs what is still failing, then there is nothing left', async () => {
    p.write({ 'staging/extra.csv': 'v\n5\n' });
    const second = p.runResults().metadata.invocation_id;
    const r = await p.run('retry');
    expect(r.code, r.output).toBe(0);
    expect(p.statuses()).toEqual({ mart_b: 'success' });
    expect(p.runResults().args.retry_of).toBe(second);
    expect(await p.query(`select status, n, v from main.mart_b order by status`)).toEqual([
      { status: 'late', n: 1, v: 5 },
      { status: 'ok', n: 2, v: 5 },
    ]);
    const none = await p.run('retry');
    expect(none.code).toBe(0);
    expect(none.output).toMatch(/Nothing to retry/);
    // Every invocation that ran is in the history: build, retry, retry.
    const inv = await p.query(`select command, exit_code, (args->>'retry_of') is not null as is_retry from etlx_meta.invocations order by started_at`);
    expect(inv).toEqual([
      { command: 'build', exit_code: 1, is_retry: false },
      { command: 'build', exit_code: 1, is_retry: true },
      { command: 'build', exit_code: 0, is_retry: true },
    ]);
  });
});

describe('build: tests that read two models', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('rel', {
      'models/stg_customers.sql': `{{config materialized="table"}}\nselect i as id from range(3) t(i)`,
      'models/dim_customers.sql': `{{config materialized="table"}}\nselect * from {{ref "stg_customers"}}`,
      'models/fct_orders.sql': `{{config materialized="table"}}\nselect id + {{var "shift" 0}} as customer_id from {{ref "dim_customers"}}`,
      'models/orders_report.sql': `{{config materialized="table"}}\nselect count(*) as n from {{ref "fct_orders"}}`,
      'models/customer_list.sql': `{{config materialized="table"}}\nselect count(*) as n from {{ref "stg_customers"}}`,
      'models/p.yml': [
        'models:',
        '  - name: fct_orders',
        '    columns:',
        '      - name: customer_id',
        '        tests:',
        '          - relationships: {to: stg_customers, field: id}',
        '',
      ].join('\n'),
    });
  });
  afterAll(() => p.cleanup());

  it('a relationships test to a model the tested model is built from is no cycle', async () => {
    // dim_customers is a child of stg_customers and an ancestor of fct_orders: it must not wait for the test.
    const r = await p.run('build');
    expect(r.code, r.output).toBe(0);
    expect(Object.values(p.statuses()).every((x) => x === 'success' || x === 'pass')).toBe(true);
  });

  it('when it fails, only the tested model\'s children are skipped', async () => {
    const r = await p.run('build', '--vars', '{shift: 1}');
    expect(r.code).toBe(1);
    expect(p.statuses()).toEqual({
      stg_customers: 'success',
      dim_customers: 'success',
      fct_orders: 'success',
      relationships_fct_orders_customer_id: 'fail',
      orders_report: 'skipped',
      customer_list: 'success',
    });
  });
});

describe('source freshness in etlx test', () => {
  let p: TestProject;
  const ago = (hours: number) => new Date(Date.now() - hours * 3600_000).toISOString().replace('T', ' ').replace('Z', '+00');
  beforeAll(() => {
    p = new TestProject('fresh', {
      'models/sources.yml': [
        'sources:',
        '  - name: feed',
        '    freshness: {warn_after: {count: 24, period: hour}, error_after: {count: 3, period: day}}',
        '    loaded_at_field: loaded_at',
        '    tables:',
        '      - name: fresh',
        '        location: staging/fresh.csv',
        '      - name: stale',
        '        location: staging/stale.csv',
        '      - name: dead',
        '        location: staging/dead.csv',
        '',
      ].join('\n'),
      'staging/fresh.csv': `id,loaded_at\n1,${ago(30)}\n2,${ago(1)}\n`,
      'staging/stale.csv': `id,loaded_at\n1,${ago(30)}\n`,
      'staging/dead.csv': `id,loaded_at\n1,${ago(24 * 5)}\n`,
    });
  });
  afterAll(() => p.cleanup());

  it('passes, warns past warn_after and errors past error_after', async () => {
    const r = await p.run('test');
    expect(r.code).toBe(1);
    const st = Object.fromEntries(p.runResults().results.map((x) => [x.unique_id, x.status]));
    expect(st).toEqual({ 'source.fresh.feed.fresh': 'pass', 'source.fresh.feed.stale': 'warn', 'source.fresh.feed.dead': 'error' });
    expect(p.result('stale', 'source')!.message).toMatch(/past warn_after 24 hour/);
    expect(p.result('dead', 'source')!.message).toMatch(/past error_after 3 day/);
    expect(r.output).toMatch(/WARN freshness of source feed\.stale/);
  });

  it('only a warning: exit 0', async () => {
    const r = await p.run('test', '--select', 'source:feed.stale', 'source:feed.fresh');
    expect(r.code, r.output).toBe(0);
    expect(p.statuses()).toEqual({ fresh: 'pass', stale: 'warn' });
  });
});
