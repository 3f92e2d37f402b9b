import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

// tests/generic/<name>.sql applied to a snapshot's history table, on the snapshot and on its
// columns (meta columns included), after the snapshot in `build` and by `etlx test`.
describe('custom generic tests on snapshots', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('cgs', {
      'tests/generic/expect_value.sql': 'select {{column_name}} as bad\nfrom {{model}}\nwhere {{column_name}} <> {{value}}',
      'tests/generic/one_current_row.sql': 'select {{key}}, count(*) as n from {{model}} where dbt_valid_to is null group by {{key}} having count(*) > 1',
      'tests/generic/min_rows.sql': 'select n from (select count(*) as n from {{model}}) where n < {{min}}',
      'models/sources.yml': 'sources:\n  - name: crm\n    tables:\n      - name: accounts\n        location: staging/accounts.csv\n',
      'snapshots/hist.sql': '{{config strategy="check" unique_key="id" check_cols="all"}}\nselect * from {{source "crm" "accounts"}}\n',
      'snapshots/snapshots.yml': [
        'snapshots:',
        '  - name: hist',
        '    tests:',
        '      - one_current_row: {key: id}',
        '      - min_rows: {min: 4, severity: warn}',
        '    columns:',
        '      - name: v',
        '        tests:',
        '          - expect_value: {value: 3, store_failures: true}',
        '          - expect_value: {value: 3, where: "dbt_valid_to is null", warn_if: "> 0", error_if: "> 5"}',
        '      - name: dbt_valid_to',
        '        tests: [not_null, {expect_value: {value: "null"}}]',
      ].join('\n'),
    });
  });
  afterAll(() => p.cleanup());

  it('run after the snapshot in build, with severity, where, thresholds and store_failures; expected failures counted', async () => {
    p.write({ 'staging/accounts.csv': 'id,v\n1,3\n2,3\n' });
    expect((await p.run('snapshot')).code).toBe(0);
    // Day 2: id 2 changes to 7: its old row is closed, a current row with v = 7 is added.
    p.write({ 'staging/accounts.csv': 'id,v\n1,3\n2,7\n' });
    const r = await p.run('build');
    expect(r.code, r.output).toBe(1);
    // History: (1,3,open) (2,3,closed) (2,7,open).
    expect(await p.query('select id, v, dbt_valid_to is null as open from main.hist order by id, v')).toEqual([
      { id: 1, v: 3, open: true },
      { id: 2, v: 3, open: false },
      { id: 2, v: 7, open: true },
    ]);
    expect(p.statuses()).toMatchObject({
      hist: 'success',
      one_current_row_hist: 'pass',
      min_rows_hist: 'warn',
      expect_value_hist_v: 'fail',
      expect_value_hist_v_2: 'warn',
      not_null_hist_dbt_valid_to: 'fail',
      // `<> null` is never true: no failing rows.
      expect_value_hist_dbt_valid_to: 'pass',
    });
    expect(p.result('expect_value_hist_v')!.failures).toBe(1);
    expect(p.result('expect_value_hist_v_2')!.failures).toBe(1);
    expect(p.result('not_null_hist_dbt_valid_to')!.failures).toBe(2);
    expect(p.result('one_current_row_hist', 'test')!.resource_type).toBe('test');
    expect(await p.query('select bad from etlx_test_failures.expect_value_hist_v')).toEqual([{ bad: 7 }]);
    // Tests ran after the snapshot they read.
    const order = p.runResults().results.map((x) => x.name);
    expect(order.indexOf('hist')).toBeLessThan(order.indexOf('expect_value_hist_v'));
    const manifest = JSON.parse(p.read('target/manifest.json')) as { nodes: Record<string, { depends_on?: { nodes: string[] }; test_metadata?: { name: string } }> };
    expect(manifest.nodes['test.cgs.one_current_row_hist']!.depends_on!.nodes).toEqual(['snapshot.cgs.hist']);
    expect(manifest.nodes['test.cgs.one_current_row_hist']!.test_metadata!.name).toBe('one_current_row');
  });

  it('a second current row for a key fails the model-level test; etlx test --select the snapshot runs them alone', async () => {
    await p.query("insert into main.hist (id, v, dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to) values (1, 3, 'dup', now(), now(), null)");
    const r = await p.run('test', '--select', 'hist');
    expect(r.code, r.output).toBe(1);
    expect(p.statuses()).toMatchObject({ one_current_row_hist: 'fail', expect_value_hist_v: 'fail' });
    expect(p.result('one_current_row_hist')!.failures).toBe(1);
    expect(p.result('hist', 'snapshot')).toBeUndefined();
  });
});
