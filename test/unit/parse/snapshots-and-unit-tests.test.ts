import { describe, expect, it } from 'vitest';
import { parse } from '../compile/memory-project.js';

const SNAP = '{{config strategy="timestamp" unique_key="id" updated_at="updated_at"}}\nselect * from {{ref "raw_customers"}}\n';

describe('parse: snapshots', () => {
  it('builds a snapshot node with dbt defaults, its properties and tests, and ref edges to and from it', () => {
    const p = parse({
      'seeds/raw_customers.csv': 'id,updated_at\n1,2024-01-01\n',
      'snapshots/customers.sql': SNAP,
      'snapshots/props.yml': 'snapshots:\n  - name: customers\n    description: history\n    config: {schema: snapshots, hard_deletes: invalidate}\n    columns:\n      - name: id\n        tests: [not_null]\n',
      'models/current.sql': 'select * from {{ref "customers"}} where dbt_valid_to is null\n',
    });
    expect(p.diagnostics).toEqual([]);
    const s = p.nodes.get('snapshot.proj.customers');
    expect(s).toMatchObject({
      resourceType: 'snapshot',
      description: 'history',
      config: {
        materialized: 'snapshot',
        strategy: 'timestamp',
        unique_key: ['id'],
        updated_at: 'updated_at',
        hard_deletes: 'invalidate',
        schema: 'snapshots',
        snapshot_meta_column_names: { dbt_valid_from: 'dbt_valid_from', dbt_valid_to: 'dbt_valid_to', dbt_scd_id: 'dbt_scd_id', dbt_updated_at: 'dbt_updated_at', dbt_is_deleted: 'dbt_is_deleted' },
      },
    });
    expect(p.dag.parents('snapshot.proj.customers')).toEqual(['seed.proj.raw_customers']);
    expect(p.dag.parents('model.proj.current')).toEqual(['snapshot.proj.customers']);
    expect(p.dag.parents('test.proj.not_null_customers_id')).toEqual(['snapshot.proj.customers']);
  });

  it('reads check_cols, list keys, materialized="snapshot" and renamed meta columns', () => {
    const p = parse({
      'seeds/raw_customers.csv': 'id\n1\n',
      'snapshots/customers.sql':
        '{{config materialized="snapshot" strategy="check" unique_key="id,region" check_cols="name,email" snapshot_meta_column_names=\'{"dbt_valid_from": "valid_from"}\'}}\nselect * from {{ref "raw_customers"}}\n',
      'snapshots/all_cols.sql': '{{config strategy="check" unique_key="id" check_cols="all"}}\nselect * from {{ref "raw_customers"}}\n',
    });
    expect(p.diagnostics).toEqual([]);
    expect(p.snapshots.get('customers')!.config).toMatchObject({ strategy: 'check', unique_key: ['id', 'region'], check_cols: ['name', 'email'], snapshot_meta_column_names: { dbt_valid_from: 'valid_from', dbt_valid_to: 'dbt_valid_to' } });
    expect(p.snapshots.get('all_cols')!.config.check_cols).toBe('all');
  });

  it('reports missing keys, unknown keys and bad values with file and line', () => {
    const p = parse({
      'seeds/raw.csv': 'id\n1\n',
      'snapshots/a.sql': '{{config unique_key="id"}}\nselect * from {{ref "raw"}}\n',
      'snapshots/b.sql': '{{config strategy="timestamp" unique_key="id"}}\nselect * from {{ref "raw"}}\n',
      'snapshots/c.sql': '{{config strategy="check" unique_key="id" check_cols="x" hard_deletes="drop" incremental_strategy="merge"}}\nselect * from {{ref "raw"}}\n',
      'snapshots/raw.sql': '{{config strategy="check" unique_key="id" check_cols="all"}}\nselect 1 as id\n',
    });
    const shown = p.diagnostics.map((d) => `${d.code} ${d.file}:${d.line} ${d.message}`);
    expect(shown).toEqual([
      'E_CONFIG_MISSING snapshots/a.sql:1 snapshot a: a snapshot needs a strategy',
      'E_CONFIG_MISSING snapshots/b.sql:1 snapshot b: the timestamp strategy needs updated_at',
      'E_CONFIG_VALUE snapshots/c.sql:1 config hard_deletes must be one of "ignore", "invalidate", "new_record", not "drop"',
      expect.stringMatching(/^E_CONFIG_UNKNOWN_KEY snapshots\/c\.sql:1 unknown config key "incremental_strategy"/),
      'E_DUPLICATE_NAME snapshots/raw.sql:1 snapshot snapshots/raw.sql and seeds/raw.csv share the name "raw"',
    ]);
  });
});

const MODELS = {
  'seeds/domains.csv': 'domain\nb.co\n',
  'models/stg.sql': 'select 1 as id, \'a@b.co\' as email\n',
  'models/dim.sql': 'select * from {{ref "stg"}} join {{ref "domains"}} on true\n',
  'models/inc.sql': '{{config materialized="incremental"}}\nselect * from {{ref "stg"}}\n',
};

describe('parse: unit tests', () => {
  it('builds unit test nodes under their model, with ids, fixtures and overrides', () => {
    const p = parse({
      ...MODELS,
      'models/unit.yml': `unit_tests:
  - name: t1
    model: dim
    tags: [fast]
    given:
      - input: ref('stg')
        rows: [{id: 1}]
      - input: ref("domains")
        format: csv
        rows: "domain\\nb.co\\n"
    expect:
      rows: [{id: 1}]
  - name: t1
    model: inc
    overrides: {vars: {x: 1}, macros: {is_incremental: true}}
    given:
      - input: this
        format: sql
        rows: select 1 as id
    expect: {rows: []}
`,
    });
    expect(p.diagnostics).toEqual([]);
    const t = p.nodes.get('unit_test.proj.dim.t1');
    expect(t).toMatchObject({ resourceType: 'unit_test', model: 'model.proj.dim', tags: ['fast'], path: 'models/unit.yml', line: 2 });
    expect(t?.resourceType === 'unit_test' && t.given.map((g) => [g.target, g.format])).toEqual([
      [{ ref: 'stg' }, 'dict'],
      [{ ref: 'domains' }, 'csv'],
    ]);
    expect(p.nodes.get('unit_test.proj.inc.t1')).toMatchObject({ overrides: { vars: { x: 1 }, isIncremental: true } });
    expect(p.dag.parents('unit_test.proj.dim.t1')).toEqual(['model.proj.dim']);
  });

  it('reports an unknown model, inputs the model does not read, this on a view, bad rows and unknown keys', () => {
    const p = parse({
      ...MODELS,
      'models/unit.yml': `unit_tests:
  - name: a
    model: dimm
    expect: {rows: []}
  - name: b
    model: dim
    given:
      - input: ref('inc')
        rows: []
      - input: this
        rows: []
      - input: seed('domains')
    expect: {rows: []}
  - name: c
    model: dim
    given:
      - input: ref('stg')
        format: csv
        rows: [{id: 1}]
    expect: {rows: "id"}
`,
      'models/unit_more.yml': 'unit_tests:\n  - name: d\n    model: dim\n    expect: {rows: [], fixture: x}\n',
    });
    // Properties files are validated first (a file with an unknown key is left out whole).
    expect(p.diagnostics.map((d) => `${d.code} ${d.line} ${d.message}`)).toEqual([
      expect.stringMatching(/^E_CONFIG_UNKNOWN_KEY 4 unknown key "fixture"/),
      'E_UNIT_TEST_MODEL 3 unit test a names model "dimm", which does not exist; did you mean "dim"?',
      'E_UNIT_TEST_INPUT 8 unit test b: model dim does not read ref(\'inc\')',
      'E_UNIT_TEST_INPUT 10 unit test b: input "this" is only for incremental models; dim is view',
      'E_UNIT_TEST_INPUT 12 unit test b: cannot read input "seed(\'domains\')"',
      "E_UNIT_TEST_FIXTURE 19 unit test c, input ref('stg'): format csv takes text",
      'E_UNIT_TEST_FIXTURE 20 unit test c, expect: format dict takes a list of rows',
    ]);
  });
});
