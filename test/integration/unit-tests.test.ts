/**
 * Unit tests (dbt 1.8's format) on real DuckDB: fixtures in dict, csv and sql formats, inputs
 * inferred from a seed's header and from an upstream model, vars and is_incremental overrides
 * with `this`, a failure printing its differing rows, build skipping a model whose unit test
 * fails, and the test_type selectors. Every expected outcome is written by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

const SOURCES = `sources:
  - name: shop
    tables:
      - name: customers
        location: staging/customers.csv
      - name: events
        location: staging/events.csv
  - name: raw
    tables:
      - name: orders
        schema: raw
`;

const UNIT_TESTS = `unit_tests:
  - name: valid_emails
    model: dim_customers
    given:
      - input: ref('stg_customers')
        rows: [{id: 1, email: a@b.co}, {id: 2, email: nope}]
      - input: ref('accepted_domains')
        format: csv
        rows: |
          domain
          b.co
    expect:
      rows: [{id: 1, is_valid: true}, {id: 2, is_valid: false}]
  - name: wrong_expectation
    model: dim_customers
    given:
      - input: ref('stg_customers')
        rows: [{id: 1, email: a@b.co}, {id: 2, email: nope}]
      - input: ref('accepted_domains')
        rows: [{domain: b.co}]
    expect:
      rows: [{id: 1, is_valid: false}, {id: 2, is_valid: false}]
  - name: sql_fixture_and_seed_header
    model: dim_customers
    given:
      - input: ref('stg_customers')
        format: sql
        rows: |
          select 7 as id, 'x@b.co' as email
    expect:
      format: csv
      rows: |
        id,email,is_valid
        7,x@b.co,false
  - name: upstream_model_inferred
    model: dim_customers
    given:
      - input: ref('accepted_domains')
        rows: [{domain: b.co}]
    expect:
      rows: []
  - name: only_new_rows
    model: events_inc
    overrides:
      vars: {factor: 2}
      is_incremental: true
    given:
      - input: ref('stg_events')
        rows: [{id: 1, v: 1}, {id: 2, v: 2}, {id: 3, v: 3}]
      - input: this
        rows: [{id: 2, v: 99}]
    expect:
      rows: [{id: 3, v: 6}]
  - name: full_build
    model: events_inc
    overrides:
      macros: {is_incremental: false}
    given:
      - input: ref('stg_events')
        rows: [{id: 1, v: 1}, {id: 1, v: 1}, {id: 3, v: 3}]
    expect:
      rows: [{v: 1}, {v: 3}, {v: 1}]
  - name: typed_from_warehouse
    model: next_days
    given:
      - input: ref('holidays')
        rows: [{day: '2024-12-25'}]
    expect:
      rows: [{next_day: '2024-12-26'}]
  - name: cannot_infer
    model: order_totals
    given:
      - input: ref('stg_customers')
        rows: [{id: 1, email: a@b.co}]
    expect:
      rows: []
`;

describe('unit tests', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('ut', {
      'models/sources.yml': SOURCES,
      'models/unit_tests.yml': UNIT_TESTS,
      'models/schema.yml': 'models:\n  - name: stg_customers\n    columns:\n      - name: id\n        tests: [not_null]\n',
      'models/stg_customers.sql': 'select id, email from {{source "shop" "customers"}}\n',
      'models/dim_customers.sql':
        'select c.id, c.email, d.domain is not null as is_valid\nfrom {{ref "stg_customers"}} as c\nleft join {{ref "accepted_domains"}} as d on split_part(c.email, \'@\', 2) = d.domain\n',
      'models/dim_report.sql': 'select count(*) as n from {{ref "dim_customers"}}\n',
      'models/stg_events.sql': 'select id, v from {{source "shop" "events"}}\n',
      'models/events_inc.sql':
        '{{config materialized="incremental" unique_key="id"}}\nselect id, v * {{var "factor" 1}} as v from {{ref "stg_events"}}\n{{#if is_incremental}}where id > (select max(id) from {{self}}){{/if}}\n',
      'models/order_totals.sql': 'select o.*, c.email from {{source "raw" "orders"}} as o join {{ref "stg_customers"}} as c on o.customer_id = c.id\n',
      'seeds/accepted_domains.csv': 'domain\nb.co\n',
      'seeds/holidays.csv': 'day\n2024-01-01\n',
      'models/next_days.sql': 'select day + 1 as next_day from {{ref "holidays"}}\n',
      'staging/customers.csv': 'id,email\n1,a@b.co\n',
      'staging/events.csv': 'id,v\n1,10\n',
    });
  });
  afterAll(() => p.cleanup());

  it('a passing test in dict and csv formats, on an empty warehouse', async () => {
    const r = await p.run('test', '--select', 'valid_emails');
    expect(r.code, r.output).toBe(0);
    expect(p.result('valid_emails')).toMatchObject({ unique_id: 'unit_test.ut.dim_customers.valid_emails', resource_type: 'unit_test', status: 'pass' });
    expect(r.output).toContain('PASS unit test dim_customers::valid_emails');
    // The warehouse holds nothing the test made: no fixture, no model.
    expect(await p.query(`select table_name from information_schema.tables where table_schema = 'main' order by 1`)).toEqual([]);
  });

  it('a failing test prints the rows that differ, both ways', async () => {
    const r = await p.run('test', '--select', 'wrong_expectation');
    expect(r.code).toBe(1);
    expect(p.result('wrong_expectation')).toMatchObject({ status: 'fail', failures: 2 });
    const lines = r.output.split('\n').map((l) => l.replace(/\s+/g, ' ').trim());
    expect(lines.some((l) => /expected, not returned \| 1 \| false/.test(l)), r.output).toBe(true);
    expect(lines.some((l) => /returned, not expected \| 1 \| true/.test(l)), r.output).toBe(true);
    expect(r.output).toContain('2 rows differ from the expected rows (models/unit_tests.yml:');
  });

  it('sql fixtures; a missing seed input from its header, a missing model input from its SQL', async () => {
    const r = await p.run('test', '--select', 'sql_fixture_and_seed_header', 'upstream_model_inferred');
    expect(r.code, r.output).toBe(0);
    expect(p.statuses()).toEqual({ sql_fixture_and_seed_header: 'pass', upstream_model_inferred: 'pass' });
  });

  it('overrides: vars and is_incremental with this (dict and macros forms)', async () => {
    const r = await p.run('test', '--select', 'only_new_rows', 'full_build');
    expect(r.code, r.output).toBe(0);
    expect(p.statuses()).toEqual({ only_new_rows: 'pass', full_build: 'pass' });
  });

  it('fixtures are typed like the warehouse relation once it exists', async () => {
    // Before the seed is loaded, '2024-12-25' is a varchar: DuckDB has no varchar + 1.
    const before = await p.run('test', '--select', 'typed_from_warehouse');
    expect(before.code).toBe(1);
    expect(before.output).toContain('No function matches');
    expect((await p.run('seed', '--select', 'holidays')).code).toBe(0);
    const after = await p.run('test', '--select', 'typed_from_warehouse');
    expect(after.code, after.output).toBe(0);
    expect(p.result('typed_from_warehouse')!.status).toBe('pass');
  });

  it('an input etlx cannot infer is an error naming it', async () => {
    const r = await p.run('test', '--select', 'cannot_infer');
    expect(r.code).toBe(1);
    expect(p.result('cannot_infer')!.status).toBe('error');
    expect(r.output).toContain(`unit test cannot_infer: cannot tell the columns of source('raw', 'orders'): it is not in the warehouse`);
    expect(r.output).toContain(`given: [{input: "source('raw', 'orders')"`);
  });

  it('test_type:unit and test_type:data select one kind of test', async () => {
    const json = await p.run('ls', '--select', 'only_new_rows', '--output', 'json');
    expect(JSON.parse(json.stdout)).toMatchObject({ unique_id: 'unit_test.ut.events_inc.only_new_rows', resource_type: 'unit_test', attached_node: 'model.ut.events_inc' });
    const unit = await p.run('ls', '--select', 'test_type:unit');
    // In id order: unit_test.<project>.<model>.<name>.
    expect(unit.stdout.trim().split('\n')).toEqual([
      'sql_fixture_and_seed_header',
      'upstream_model_inferred',
      'valid_emails',
      'wrong_expectation',
      'full_build',
      'only_new_rows',
      'typed_from_warehouse',
      'cannot_infer',
    ]);
    const data = await p.run('ls', '--select', 'test_type:data');
    expect(data.stdout.trim().split('\n')).toEqual(['not_null_stg_customers_id']);
    const r = await p.run('test', '--select', 'test_type:unit', '--exclude', 'wrong_expectation', 'cannot_infer');
    expect(r.code, r.output).toBe(0);
    expect(Object.keys(p.statuses()).sort()).toEqual(['full_build', 'only_new_rows', 'sql_fixture_and_seed_header', 'typed_from_warehouse', 'upstream_model_inferred', 'valid_emails']);
  });

  it('build runs a model\'s unit tests before it: a failing one skips the model and its descendants', async () => {
    // Excluding order_totals excludes its unit test (cannot_infer) too.
    const r = await p.run('build', '--exclude', 'order_totals');
    expect(r.code).toBe(1);
    const st = p.statuses();
    expect(st).toMatchObject({
      valid_emails: 'pass',
      wrong_expectation: 'fail',
      dim_customers: 'skipped',
      dim_report: 'skipped',
      stg_customers: 'success',
      accepted_domains: 'success',
      events_inc: 'success',
      only_new_rows: 'pass',
      not_null_stg_customers_id: 'pass',
    });
    const at = (name: string) => p.result(name)!.timing.started_at!;
    expect(at('only_new_rows') <= at('events_inc')).toBe(true);
    expect(p.result('dim_customers')!.message).toContain('skipped because unit_test wrong_expectation failed');
    expect(p.result('cannot_infer')).toBeUndefined();
    // With the warehouse built, fixtures are typed like the real relations: still passing.
    const again = await p.run('test', '--select', 'valid_emails', 'only_new_rows');
    expect(again.code, again.output).toBe(0);
  });
});
