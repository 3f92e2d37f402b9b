import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ModelNode } from '../../../src/parse/nodes.js';
import { checkSqlSyntax } from '../../../src/engine/duckdb/sql-check.js';
import { compileOk } from './memory-project.js';

/**
 * Golden files pin the SQL etlx generates: each materialization's SELECT (with ephemeral CTEs)
 * and each generic test's failing-rows query. `UPDATE_GOLDEN=1 npx vitest run` rewrites them;
 * review the diff before committing.
 */
const GOLDEN_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../golden/compile');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const PROJECT: Record<string, string> = {
  'etlx.yml': `name: shop
vars:
  start_date: '2024-01-01'
  methods: [card, paypal]
models:
  +materialized: view
  staging:
    +schema: staging
`,
  'models/sources.yml': `sources:
  - name: shop
    tables:
      - name: orders
        location: staging/orders/*/*.parquet
        options: {hive_partitioning: true}
      - name: payments
        location: staging/payments.csv
        options: {header: true}
`,
  'seeds/customers.csv': 'customer_id,name\n1,Ada\n',
  'macros/cents_to_dollars.sql': '{{!-- cents to dollars --}}cast({{column}} / 100 as decimal(18, 2))',
  'models/staging/stg_orders.sql': `select order_id, customer_id, {{> cents_to_dollars column="amount_cents"}} as amount, status, ordered_at
from {{source "shop" "orders"}}
where ordered_at >= '{{var "start_date"}}'
`,
  'models/intermediate/int_payments.sql': `{{config materialized="ephemeral"}}
select order_id, sum(amount) as paid
from {{source "shop" "payments"}}
where method in ({{#each (var "methods")}}'{{this}}'{{#unless @last}}, {{/unless}}{{/each}})
group by order_id
`,
  'models/intermediate/int_orders_paid.sql': `{{config materialized="ephemeral"}}
select o.*, coalesce(p.paid, 0) as paid
from {{ref "stg_orders"}} as o
left join {{ref "int_payments"}} as p using (order_id)
`,
  'models/marts/orders_view.sql': `select * from {{ref "int_orders_paid"}}
`,
  'models/marts/orders_table.sql': `{{config materialized="table" schema="marts"}}
-- begins with its own WITH
with paid as (
    select * from {{ref "int_orders_paid"}}
)
select paid.*, c.name
from paid
join {{ref "customers"}} as c using (customer_id);
`,
  'models/marts/orders_incremental.sql': `{{config materialized="incremental" unique_key="order_id" on_schema_change="append_new_columns"}}
select * from {{ref "int_orders_paid"}}
{{#if is_incremental}}
where ordered_at > (select max(ordered_at) from {{self}})
{{/if}}
`,
  'models/exports/orders_export.sql': `{{config materialized="file" format="csv" location="exports/orders.csv"}}
select * from {{ref "orders_table"}}
`,
  'models/exports/orders_partitioned.sql': `{{config materialized="file" format="parquet" location="exports/orders" partition_by="status"}}
select * from {{ref "int_orders_paid"}}
`,
  'models/marts/from_exports.sql': `select * from {{ref "orders_export"}} union all by name select * from {{ref "orders_partitioned"}}
`,
  'models/marts/_marts.yml': `version: 2
models:
  - name: orders_table
    data_tests:
      - row_count: {min: 1, max: 1000000}
      - row_count_matches: {model: orders_view, tolerance_pct: 5}
      - row_count_change: {max_pct: 20, severity: warn}
      - expression_is_true: {expression: "paid <= amount * 2"}
    columns:
      - name: order_id
        data_tests: [not_null, unique]
      - name: status
        data_tests:
          - accepted_values: {values: [placed, shipped, completed], where: "ordered_at >= '2024-01-01'"}
      - name: amount
        data_tests:
          - expression_is_true: {expression: ">= 0"}
      - name: customer_id
        data_tests:
          - relationships: {to: customers, field: customer_id}
  - name: int_orders_paid
    columns:
      - name: paid
        data_tests: [not_null]
`,
  'tests/assert_paid.sql': `select * from {{ref "int_orders_paid"}} where paid < 0
`,
};

const VARS = { start_date: '2024-01-01', methods: ['card', 'paypal'] };
const { project, compiled } = compileOk(PROJECT, { vars: VARS });
// The same project on a later run: the incremental model's table exists.
const incremental = compileOk(PROJECT, { vars: VARS, isIncremental: (m: ModelNode) => m.mat.kind === 'incremental' });

const sql = (id: string, c = compiled) => {
  const node = c.nodes.get(id);
  if (!node) throw new Error(`not compiled: ${id}`);
  return `${node.sql}\n`;
};

const GOLDENS: [file: string, text: () => string][] = [
  ['model_view.sql', () => sql('model.shop.orders_view')],
  ['model_table.sql', () => sql('model.shop.orders_table')],
  ['model_incremental.sql', () => sql('model.shop.orders_incremental')],
  ['model_incremental_is_incremental.sql', () => sql('model.shop.orders_incremental', incremental.compiled)],
  ['model_ephemeral.sql', () => sql('model.shop.int_orders_paid')],
  ['model_file.sql', () => sql('model.shop.orders_export')],
  ['model_file_partitioned.sql', () => sql('model.shop.orders_partitioned')],
  ['model_reads_file_models.sql', () => sql('model.shop.from_exports')],
  ['model_staging_source_macro.sql', () => sql('model.shop.stg_orders')],
  ['test_not_null.sql', () => sql('test.shop.not_null_orders_table_order_id')],
  ['test_not_null_on_ephemeral.sql', () => sql('test.shop.not_null_int_orders_paid_paid')],
  ['test_unique.sql', () => sql('test.shop.unique_orders_table_order_id')],
  ['test_accepted_values.sql', () => sql('test.shop.accepted_values_orders_table_status')],
  ['test_relationships.sql', () => sql('test.shop.relationships_orders_table_customer_id')],
  ['test_expression_is_true.sql', () => sql('test.shop.expression_is_true_orders_table')],
  ['test_expression_is_true_column.sql', () => sql('test.shop.expression_is_true_orders_table_amount')],
  ['test_row_count.sql', () => sql('test.shop.row_count_orders_table')],
  ['test_row_count_matches.sql', () => sql('test.shop.row_count_matches_orders_table')],
  ['test_row_count_change.sql', () => sql('test.shop.row_count_change_orders_table')],
  ['test_singular.sql', () => sql('test.shop.assert_paid')],
  ['test_failure_count.sql', () => `${compiled.nodes.get('test.shop.not_null_orders_table_order_id')!.display}\n`],
];

describe('golden SQL (test/golden/compile)', () => {
  it('the golden project compiles without diagnostics', () => {
    expect(project.diagnostics).toEqual([]);
    expect(compiled.diagnostics).toEqual([]);
  });

  it.each(GOLDENS)('%s', (file, text) => {
    const actual = text();
    const golden = path.join(GOLDEN_DIR, file);
    if (UPDATE || !fs.existsSync(golden)) {
      if (!UPDATE) throw new Error(`missing golden ${golden}; run with UPDATE_GOLDEN=1 to create it`);
      fs.mkdirSync(GOLDEN_DIR, { recursive: true });
      fs.writeFileSync(golden, actual);
    }
    expect(actual).toBe(fs.readFileSync(golden, 'utf8'));
  });

  it('every golden is one statement DuckDB\'s parser accepts', async () => {
    const problems = await checkSqlSyntax(GOLDENS.map(([, text]) => text()));
    expect(problems).toEqual([]);
  });

  it('every golden file is checked by a test (no stale goldens)', () => {
    const files = fs.readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.sql')).sort();
    expect(files).toEqual(GOLDENS.map(([f]) => f).sort());
  });
});
