import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

// tests/generic/<name>.sql: a Handlebars template returning failing rows, used like a built-in.
describe('custom generic tests', () => {
  let p: TestProject;
  beforeAll(async () => {
    p = new TestProject('cg', {
      'tests/generic/expect_value.sql': 'select {{column_name}} as bad\nfrom {{model}}\nwhere {{column_name}} <> {{value}}',
      'tests/generic/min_rows.sql': 'select n from (select count(*) as n from {{model}}) where n < {{min}}',
      'tests/plain_singular.sql': 'select 1 as x where false',
      'seeds/threes.csv': 'v\n3\n3\n',
      'models/m.sql': 'select 3 as v union all select 4 union all select 5',
      'models/ok.sql': 'select 3 as v',
      'models/props.yml': [
        'sources:',
        '  - name: raw',
        '    tables:',
        '      - name: files',
        '        location: staging/files.csv',
        '        columns:',
        '          - name: v',
        '            tests:',
        '              - expect_value: {value: 3}',
        'models:',
        '  - name: ok',
        '    tests:',
        '      - min_rows: {min: 1}',
        '    columns:',
        '      - name: v',
        '        tests:',
        '          - expect_value: {value: 3}',
        '  - name: m',
        '    tests:',
        '      - min_rows: {min: 5, severity: warn}',
        '    columns:',
        '      - name: v',
        '        tests:',
        '          - expect_value: {value: 3, warn_if: "> 0", error_if: "> 5", store_failures: true}',
        '          - expect_value: {value: 3, where: "v < 5"}',
        'seeds:',
        '  - name: threes',
        '    columns:',
        '      - name: v',
        '        tests:',
        '          - expect_value: {value: 3}',
      ].join('\n'),
    });
    await p.copyTo('staging/files.csv', 'select 3 as v union all select 9');
  });
  afterAll(() => p.cleanup());

  it('run on models, columns, seeds and sources, with severity, thresholds, where and store_failures', async () => {
    const r = await p.run('build');
    expect(r.code, r.output).toBe(1);
    expect(p.statuses()).toMatchObject({
      expect_value_ok_v: 'pass',
      min_rows_ok: 'pass',
      min_rows_m: 'warn',
      expect_value_m_v: 'warn',
      expect_value_m_v_2: 'fail',
      expect_value_threes_v: 'pass',
      expect_value_raw_files_v: 'fail',
      plain_singular: 'pass',
    });
    expect(p.result('expect_value_m_v')!.failures).toBe(2);
    expect(p.result('expect_value_m_v_2')!.failures).toBe(1);
    expect(await p.query('select bad from etlx_test_failures.expect_value_m_v order by 1')).toEqual([{ bad: 4 }, { bad: 5 }]);
    // tests/generic/ holds definitions, not singular tests.
    expect(p.result('expect_value', 'test')).toBeUndefined();
    const manifest = JSON.parse(p.read('target/manifest.json')) as { nodes: Record<string, { test_metadata?: { name: string; kwargs: unknown } }> };
    expect(manifest.nodes['test.cg.expect_value_ok_v']!.test_metadata).toEqual({ name: 'expect_value', kwargs: { value: 3 } });
  });

  it('an unknown test name is exit 2 with a did-you-mean that includes custom tests', async () => {
    p.write({ 'models/extra.yml': 'models:\n  - name: ok2\n', 'models/ok2.sql': 'select 1 as v' });
    p.write({ 'models/extra.yml': 'models:\n  - name: ok2\n    columns:\n      - name: v\n        tests: [expect_valu]\n' });
    const r = await p.run('compile');
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/models\/extra\.yml:5/);
    expect(r.output).toContain('did you mean "expect_value"');
    p.remove('models/extra.yml', 'models/ok2.sql');
  });
});
