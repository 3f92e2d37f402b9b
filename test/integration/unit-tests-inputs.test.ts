/**
 * Unit test inputs beyond ref('model'): a source table given in dict rows, a snapshot's history
 * given as rows, an ephemeral model given as rows, and overrides.env_vars; every expected row is
 * written by hand, and the warehouse is never built.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

const UNIT_TESTS = `unit_tests:
  - name: from_source
    model: stg_customers
    given:
      - input: source('shop', 'customers')
        rows: [{id: 1, email: A@B.CO}, {id: 2, email: null}]
    expect:
      rows: [{id: 1, email: a@b.co}]
  - name: current_from_snapshot
    model: current_customers
    given:
      - input: ref('customers_history')
        format: csv
        rows: |
          id,email,dbt_valid_to
          1,old@b.co,2024-01-02 00:00:00
          1,new@b.co,
          2,x@b.co,
    expect:
      rows: [{id: 1, email: new@b.co}, {id: 2, email: x@b.co}]
  - name: through_ephemeral
    model: counted
    given:
      - input: ref('eph')
        rows: [{k: a}, {k: a}, {k: b}]
    expect:
      rows: [{k: a, n: 2}, {k: b, n: 1}]
  - name: env_override
    model: labelled
    overrides:
      env_vars: {ETLX_UT_LABEL: from_test}
    given:
      - input: ref('counted')
        rows: [{k: a, n: 1}]
    expect:
      rows: [{k: a, label: from_test}]
`;

describe('unit test inputs: sources, snapshots, ephemerals and env_vars', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('uti', {
      'models/sources.yml': 'sources:\n  - name: shop\n    tables:\n      - name: customers\n        schema: raw\n',
      'models/unit_tests.yml': UNIT_TESTS,
      'models/stg_customers.sql': 'select id, lower(email) as email from {{source "shop" "customers"}} where email is not null\n',
      'snapshots/customers_history.sql': '{{config strategy="check" unique_key="id" check_cols="all"}}\nselect * from {{ref "stg_customers"}}\n',
      'models/current_customers.sql': 'select id, email from {{ref "customers_history"}} where dbt_valid_to is null\n',
      'models/eph.sql': '{{config materialized="ephemeral"}}\nselect 1 as k\n',
      'models/counted.sql': 'select k, count(*) as n from {{ref "eph"}} group by k\n',
      'models/labelled.sql': 'select k, \'{{env "ETLX_UT_LABEL" "default"}}\' as label from {{ref "counted"}}\n',
    });
  });
  afterAll(() => p.cleanup());

  it('all pass with --select test_type:unit on an empty warehouse, which stays unbuilt', async () => {
    const r = await p.run('test', '--select', 'test_type:unit');
    expect(r.code, r.output).toBe(0);
    expect(p.statuses()).toEqual({ from_source: 'pass', current_from_snapshot: 'pass', through_ephemeral: 'pass', env_override: 'pass' });
    expect(await p.query("select count(*) as n from information_schema.tables where table_schema in ('main', 'raw')")).toEqual([{ n: 0 }]);
  });

  it('a wrong expectation on the source input fails and prints the differing rows', async () => {
    p.write({ 'models/unit_tests.yml': UNIT_TESTS.replace('rows: [{id: 1, email: a@b.co}]', 'rows: [{id: 1, email: A@B.CO}]') });
    const r = await p.run('test', '--select', 'stg_customers');
    expect(r.code, r.output).toBe(1);
    expect(p.result('from_source')!.status).toBe('fail');
    expect(r.output).toMatch(/expected, not returned.*A@B\.CO/);
    expect(r.output).toMatch(/returned, not expected.*a@b\.co/);
  });
});
