/**
 * The small project the ClickHouse integration tests build: every kind (view, table with
 * ClickHouse table config, incremental append and delete+insert, ephemeral, seed), built-in
 * generic, singular and custom generic tests, store_failures. SQL in ClickHouse's dialect.
 */
import { chQuery } from '../support/clickhouse.js';

export const SEED_ROWS = 40;

function customersCsv(): string {
  const names = ['Ann', 'Bob', '', 'Dee'];
  const lines = ['id,name,signup'];
  for (let i = 1; i <= SEED_ROWS; i++) lines.push(`${i},${names[(i - 1) % 4]},2024-01-${String(((i - 1) % 28) + 1).padStart(2, '0')}`);
  return `${lines.join('\n')}\n`;
}

export function projectFiles(profile: string): Record<string, string> {
  return {
    'profiles.yml': profile,
    'seeds/customers.csv': customersCsv(),
    'models/stg_orders.sql':
      '{{config materialized="table" order_by="id" partition_by="customer_id % 2" sharding_key="id"}}\n' +
      'select toInt64(number + 1) as id, toInt64(number % 4 + 1) as customer_id, cast(number * 10 as Float64) as amount from numbers({{var "orders" 100}})\n',
    'models/eph_big.sql': '{{config materialized="ephemeral"}}\nselect id, amount from {{ref "stg_orders"}} where amount > 500\n',
    'models/big_orders.sql': 'select * from {{ref "eph_big"}}\n',
    'models/cust_totals.sql':
      '{{config materialized="table" sharding_key="id"}}\n' +
      'select id, name, count(order_id) as n, coalesce(sum(amount), 0) as total\n' +
      'from (select * from {{ref "customers"}}) as c\n' +
      'left join (select id as order_id, customer_id, amount from {{ref "stg_orders"}}) as o on id = customer_id\n' +
      'group by id, name\n',
    'models/events_keyed.sql':
      '{{config materialized="incremental" unique_key="id" incremental_strategy="delete+insert" sharding_key="id"}}\n' +
      'select toInt64(number) as id, toString(number * {{var "night" 1}}) as v from numbers({{var "events" 50}})\n' +
      '{{#if is_incremental}}where number >= 30{{/if}}\n',
    'models/events_log.sql':
      '{{config materialized="incremental" unique_key="id"}}\n' +
      'select toInt64(number) as id, {{var "night" 1}} as night from numbers(20)\n',
    'models/schema.yml': `models:
  - name: cust_totals
    columns:
      - name: id
        tests: [unique, not_null]
      - name: name
        tests:
          - no_nulls:
              config: {severity: warn, store_failures: true}
  - name: stg_orders
    columns:
      - name: customer_id
        tests:
          - relationships: {to: "ref('customers')", field: id}
          - accepted_values: {values: [1, 2, 3, 4], quote: false}
      - name: amount
        tests:
          - expression_is_true: {expression: ">= 0"}
`,
    'tests/generic/no_nulls.sql': 'select * from {{model}} where {{column_name}} is null\n',
    'tests/no_negative.sql': 'select * from {{ref "stg_orders"}} where amount < 0\n',
  };
}

/** Names etlx left in etlx_tmp on a server (there must be none after a run). */
export async function leftovers(url: string): Promise<string[]> {
  const rows = await chQuery(url, "select name from system.tables where database = 'etlx_tmp' and startsWith(name, 'etlx_') order by name");
  return rows.map((r) => String(r.name));
}

export async function count(url: string, relation: string): Promise<number> {
  return Number((await chQuery(url, `select count() as n from ${relation}`))[0]!.n);
}
