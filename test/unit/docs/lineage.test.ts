/**
 * Column lineage on SQL shapes, with the expected lineage written by hand. The parse trees come
 * from DuckDB itself (json_serialize_sql in an in-memory database), the way docs generate gets them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeLineage, type ColumnLineage, type RelationResolver } from '../../../src/docs/lineage.js';
import { parseTreesSql } from '../../../src/docs/parse-tree.js';
import { queryFile } from '../../integration/helpers.js';

const O = 'model.p.orders';
const C = 'seed.p.customers';
const P = 'model.p.payments';
const E = 'source.p.shop.events';
const U = 'model.p.unbuilt';

const TABLES: Record<string, { node: string; columns?: string[] }> = {
  'main.orders': { node: O, columns: ['id', 'customer_id', 'amount', 'status', 'ordered_at'] },
  'main.customers': { node: C, columns: ['id', 'name', 'region', 'address'] },
  'mart.payments': { node: P, columns: ['order_id', 'amount', 'method'] },
  'main.unbuilt': { node: U },
};

const resolver: RelationResolver = {
  table: (schema, name) => TABLES[`${(schema ?? 'main').toLowerCase()}.${name.toLowerCase()}`],
  cte: (name) => (name === '__etlx_cte__int' ? { node: 'model.p.int', columns: ['k', 'v'] } : undefined),
  tableFunction: (fn, arg) => (fn === 'read_parquet' && arg === '/data/events/*.parquet' ? { node: E, columns: ['event_id', 'customer_id', 'kind', 'at'] } : undefined),
};

const d = (node: string, column: string) => ({ node, column, direct: true });
const c = (node: string, column: string) => ({ node, column, direct: false });
type Expected = Record<string, ColumnLineage['lineage'] | { note: RegExp }>;

const CASES: [string, string, Expected, string[]?][] = [
  ['plain columns', 'select id, amount from main.orders', { id: [d(O, 'id')], amount: [d(O, 'amount')] }],
  ['unqualified table in the default schema', 'select status from orders', { status: [d(O, 'status')] }],
  ['alias renames but stays direct', 'select o.amount as total from orders o', { total: [d(O, 'amount')] }],
  ['arithmetic is computed', 'select amount * 100 as cents from orders', { cents: [c(O, 'amount')] }],
  ['function of two columns', 'select concat(status, id) as k from orders', { k: [c(O, 'id'), c(O, 'status')] }],
  ['cast is computed', 'select cast(amount as int) as a, id::varchar as b from orders', { a: [c(O, 'amount')], b: [c(O, 'id')] }],
  ['constants have no lineage', "select 1 as one, 'x' as s, current_date as today from orders", { one: [], s: [], today: [] }],
  ['select * expanded from the catalog', 'select * from mart.payments', { order_id: [d(P, 'order_id')], amount: [d(P, 'amount')], method: [d(P, 'method')] }],
  ['t.* of one side of a join', 'select p.*, o.status from orders o join mart.payments p on p.order_id = o.id', { order_id: [d(P, 'order_id')], amount: [d(P, 'amount')], method: [d(P, 'method')], status: [d(O, 'status')] }],
  ['star with exclude and replace', 'select * exclude (address) replace (upper(name) as name) from customers', { id: [d(C, 'id')], name: [c(C, 'name')], region: [d(C, 'region')] }],
  ['join picks the right side by qualifier', 'select o.id, c.name from orders o left join customers c on c.id = o.customer_id', { id: [d(O, 'id')], name: [d(C, 'name')] }],
  ['unqualified column unique across a join', 'select name, status from orders o join customers c on c.id = o.customer_id', { name: [d(C, 'name')], status: [d(O, 'status')] }],
  ['ambiguous column gets a note', 'select amount from orders join mart.payments on payments.order_id = orders.id', { amount: { note: /ambiguous/ } }],
  ['join using: * shows the key once', 'select * from (select id, status from orders) a join (select id, name from customers) b using (id)', { id: [d(O, 'id')], status: [d(O, 'status')], name: [d(C, 'name')] }],
  ['CTE chain', 'with a as (select id, amount from orders), b as (select id as order_id, amount * 2 as double_amount from a) select order_id, double_amount from b', { order_id: [d(O, 'id')], double_amount: [c(O, 'amount')] }],
  ['CTE with select *', 'with o as (select * from orders) select o.customer_id from o', { customer_id: [d(O, 'customer_id')] }],
  ['CTE column aliases', 'with t(x, y) as (select id, amount from orders) select x, y + 1 as z from t', { x: [d(O, 'id')], z: [c(O, 'amount')] }],
  ['subquery in FROM with alias', 'select s.total from (select customer_id, sum(amount) as total from orders group by 1) s', { total: [c(O, 'amount')] }],
  ['subquery column aliases', 'select a from (select id from orders) t(a)', { a: [d(O, 'id')] }],
  ['scalar subquery in the select list', 'select id, (select max(amount) from mart.payments) as top from orders', { id: [d(O, 'id')], top: [c(P, 'amount')] }],
  ['correlated subquery reads the outer column', 'select id, (select sum(p.amount) from mart.payments p where p.order_id = o.id) as paid from orders o', { id: [d(O, 'id')], paid: [c(P, 'amount')] }],
  ['exists only filters', 'select id from orders o where exists (select 1 from mart.payments p where p.order_id = o.id)', { id: [d(O, 'id')] }],
  ['aggregates', 'select customer_id, count(*) as n, sum(amount) as total, count(distinct status) as statuses from orders group by customer_id', { customer_id: [d(O, 'customer_id')], n: [], total: [c(O, 'amount')], statuses: [c(O, 'status')] }],
  ['aggregate with filter', "select count(*) filter (where status = 'ok') as ok_orders from orders", { ok_orders: [c(O, 'status')] }],
  ['window function reads partition and order columns', 'select id, rank() over (partition by customer_id order by amount desc) as r from orders', { id: [d(O, 'id')], r: [c(O, 'amount'), c(O, 'customer_id')] }],
  ['window aggregate', 'select sum(amount) over (order by ordered_at) as running from orders', { running: [c(O, 'amount'), c(O, 'ordered_at')] }],
  ['case expression', "select case when amount > 100 then 'big' else status end as size from orders", { size: [c(O, 'amount'), c(O, 'status')] }],
  ['union all merges both sides by position', 'select id, amount from orders union all select order_id, amount from mart.payments', { id: [d(O, 'id'), d(P, 'order_id')], amount: [d(O, 'amount'), d(P, 'amount')] }],
  ['union by name', 'select id, status from orders union all by name select id, name from customers', { id: [d(O, 'id'), d(C, 'id')], status: [d(O, 'status')], name: [d(C, 'name')] }],
  ['except keeps the left side', 'select id from orders except select order_id from mart.payments', { id: [d(O, 'id')] }],
  ['file reader resolves to its node', "select customer_id, kind from read_parquet('/data/events/*.parquet') e", { customer_id: [d(E, 'customer_id')], kind: [d(E, 'kind')] }],
  ['select * from a file reader', "select * from read_parquet('/data/events/*.parquet')", { event_id: [d(E, 'event_id')], customer_id: [d(E, 'customer_id')], kind: [d(E, 'kind')], at: [d(E, 'at')] }],
  ['lateral alias reuse', 'select amount * 2 as a, a + 1 as b from orders', { a: [c(O, 'amount')], b: [c(O, 'amount')] }],
  ['lambda parameters are not columns', 'select list_transform([1, 2], x -> x + amount) as l from orders', { l: [c(O, 'amount')] }],
  ['struct field is computed from its column', "select s.f from (select {'f': amount} as s from orders)", { f: [c(O, 'amount')] }],
  ['values list has no upstream', 'select a from (values (1), (2)) v(a)', { a: [] }],
  ['distinct and order by do not change lineage', 'select distinct status from orders order by status', { status: [d(O, 'status')] }],
  ['columns of an unbuilt node are followed by name', 'select u.x, y from unbuilt u', { x: [d(U, 'x')], y: [d(U, 'y')] }],
  ['select * over an unbuilt node gets a note', 'select * from unbuilt', { a: { note: /not in the catalog/ } }, ['a']],
  ['a qualified unknown column names its relation', 'select o.nope from orders o', { nope: { note: /has no column "nope"/ } }],
  ['an unknown column gets a note', 'select nope from orders', { nope: { note: /could not be traced/ } }],
  ['a table outside the project gets a note', 'select x from information_schema.tables', { x: { note: /not a node of this project/ } }],
  ['COLUMNS(...) gets a note', "select columns('a.*') from orders", { c1: { note: /COLUMNS/ } }, ['c1']],
  ['recursive CTE gets a note', 'with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) select n from r', { n: { note: /recursive/ } }, ['n']],
  ['catalog names unaliased expressions by position', 'select id + 1, upper(status) from orders', { '(id + 1)': [c(O, 'id')], 'upper(status)': [c(O, 'status')] }, ['(id + 1)', 'upper(status)']],
  ['column count mismatch gets a note', 'select id from orders', { id: { note: /found 1 columns/ }, extra: { note: /found 1 columns/ } }, ['id', 'extra']],
  ['an inlined ephemeral model is its own node', 'with "__etlx_cte__int" as (select id as k, amount as v from orders) select k, v * 2 as w from "__etlx_cte__int"', { k: [d('model.p.int', 'k')], w: [c('model.p.int', 'v')] }],
  ['nested CTE inside a subquery', 'select t.n from (with w as (select name as n from customers) select n from w) t', { n: [d(C, 'name')] }],
  ['in-subquery in an expression', 'select id in (select order_id from mart.payments) as paid from orders', { paid: [c(O, 'id'), c(P, 'order_id')] }],
  ['coalesce over a left join and a CTE aggregate', 'with r as (select customer_id, sum(amount) as rev from orders group by 1) select c.id, coalesce(r.rev, 0) as revenue from customers c left join r on r.customer_id = c.id', { id: [d(C, 'id')], revenue: [c(O, 'amount')] }],
];

describe('column lineage', () => {
  let trees: unknown[] = [];
  beforeAll(async () => {
    const rows = await queryFile(':memory:', parseTreesSql(CASES.map((x) => x[1])));
    trees = rows.map((r) => JSON.parse(String(r.tree)));
  });

  it('covers at least 30 shapes', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES.map((x, i) => [x[0], i] as const))('%s', (_name, i) => {
    const [, , expected, catalog] = CASES[i]!;
    const got = analyzeLineage(trees[i], resolver, catalog);
    expect([...got.columns.keys()]).toEqual(Object.keys(expected));
    for (const [col, want] of Object.entries(expected)) {
      const have = got.columns.get(col)!;
      if ('note' in want) {
        expect(have.lineage).toEqual([]);
        expect(have.note).toMatch(want.note);
      } else {
        expect(have.note).toBeUndefined();
        expect(have.lineage).toEqual(want);
      }
    }
  });

  it('a parse error gives every catalog column a note', () => {
    const got = analyzeLineage({ error: true, error_message: 'syntax error at or near "form"' }, resolver, ['a', 'b']);
    expect(got.note).toMatch(/syntax error/);
    expect(got.columns.get('b')).toEqual({ lineage: [], note: got.note });
  });
});
