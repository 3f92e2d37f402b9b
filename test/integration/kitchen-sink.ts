/**
 * A small project with one of every kind the manifest holds: models (config in SQL and YAML, a
 * templated property value, a var, an env read), a partial, a seed, sources (one with a
 * templated schema), a snapshot with its properties, a singular test, custom generic tests under
 * tests/generic, and dbt-style unit tests. Shared by the manifest byte-identity test and the
 * unchanged-project fingerprint tests.
 */
export const KITCHEN_SINK_ENV = 'ETLX_KS_REGION';

export function kitchenSinkFiles(name = 'ks'): Record<string, string> {
  return {
    'etlx.yml': `name: ${name}\nvars:\n  min_amount: 5\n  regions: [eu, us]\nmodels:\n  materialized: table\n  staging:\n    +materialized: view\n    +tags: [staging]\n`,
    'profiles.yml': `${name}:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: wh.duckdb, schema: main}\n    prod: {type: duckdb, path: wh.duckdb, schema: prod_s, threads: 2}\n`,
    'macros/money.sql': 'cast({{column}} / 100 as decimal(18, 2))',
    'models/sources.yml': [
      'sources:',
      '  - name: raw',
      '    tables:',
      '      - name: orders',
      '        location: staging/orders.csv',
      '        columns:',
      '          - name: id',
      '            description: the order',
      '            tests: [not_null, unique]',
      '  - name: wh',
      '    schema: "{{ target.schema }}"',
      '    tables:',
      '      - name: events',
      '',
    ].join('\n'),
    'models/staging/stg_orders.sql': `select id, {{> money column="amount_cents"}} as amount, '{{env "${KITCHEN_SINK_ENV}" "eu"}}' as region\nfrom {{source "raw" "orders"}}\n`,
    'models/marts/big_orders.sql': '{{config materialized="table" tags="finance"}}\nselect * from {{ref "stg_orders"}} where amount >= {{var "min_amount"}}\n',
    'models/marts/by_code.sql': 'select o.*, c.name from {{ref "big_orders"}} o join {{ref "codes"}} c on c.code = o.region\n',
    'models/marts/_marts.yml': [
      'models:',
      '  - name: big_orders',
      '    description: orders over the minimum',
      '    config:',
      '      alias: "big_{{ target.name }}"',
      '      meta: {owner: me, zeta: 1, alpha: [b, a]}',
      '    columns:',
      '      - name: id',
      '        data_type: integer',
      '        description: the id',
      '        tests:',
      '          - not_null',
      '          - at_least: {min: 0}',
      '      - name: amount',
      '        tests: [{accepted_values: {values: [1, 2], severity: warn}}]',
      'unit_tests:',
      '  - name: keeps_big',
      '    model: big_orders',
      '    given:',
      "      - input: ref('stg_orders')",
      '        rows: [{id: 1, amount: 10, region: eu}, {id: 2, amount: 1, region: us}]',
      '    expect:',
      '      rows: [{id: 1, amount: 10, region: eu}]',
      '    overrides:',
      '      vars: {min_amount: 5}',
      '',
    ].join('\n'),
    'seeds/codes.csv': 'code,name\neu,Europe\nus,United States\n',
    'snapshots/orders_snap.sql': '{{config strategy="check" unique_key="id" check_cols="all"}}\nselect * from {{source "raw" "orders"}}\n',
    'snapshots/snapshots.yml': 'snapshots:\n  - name: orders_snap\n    description: order history\n    columns:\n      - name: id\n        tests: [not_null]\n',
    'tests/assert_positive.sql': 'select * from {{ref "big_orders"}} where amount < 0\n',
    'tests/generic/at_least.sql': 'select {{column_name}} from {{model}} where {{column_name}} < {{min}}\n',
    'staging/orders.csv': 'id,amount_cents\n1,1000\n2,50\n',
  };
}
