import { describe, expect, it } from 'vitest';
import { withCtes } from '../../../src/compile/ephemerals.js';
import { ephemeralCteName } from '../../../src/compile/relations.js';
import { clickhouseType, csvColumnFor } from '../../../src/materialize/clickhouse/seed-test.js';
import { columnList, distributedEngine, engineClause, tmpBase } from '../../../src/materialize/clickhouse/sql.js';
import { quoteClickHouseLiteral } from '../../../src/util/sql.js';

describe('ClickHouse table SQL', () => {
  it('MergeTree ORDER BY tuple() by default; the model config adds its clauses', () => {
    expect(engineClause({})).toBe('engine = MergeTree order by tuple()');
    expect(engineClause({ order_by: ['id', 'day'], partition_by: ['toYYYYMM(day)'], primary_key: ['id'], settings: { index_granularity: 1024 } })).toBe(
      'engine = MergeTree partition by toYYYYMM(day) order by (id, day) primary key id settings index_granularity = 1024',
    );
    expect(engineClause({ engine: 'ReplacingMergeTree(version)', order_by: ['id'] })).toBe('engine = ReplacingMergeTree(version) order by id');
    // Engines outside the MergeTree family take none of the clauses.
    expect(engineClause({ engine: 'Log', order_by: ['id'] })).toBe('engine = Log');
  });

  it('Distributed tables and column lists', () => {
    expect(distributedEngine('two', 'shop', 'orders_local', 'rand()')).toBe("engine = Distributed('two', 'shop', 'orders_local', rand())");
    expect(columnList([{ name: 'id', type: 'Int64' }, { name: 'a b', type: 'Nullable(String)' }])).toBe('("id" Int64, "a b" Nullable(String))');
  });

  it("temporary names start with etlx_ and are unique per invocation and relation", () => {
    const work = { stagingId: '1f2e3d4c-aaaa-bbbb', target: { schema: 'shop', identifier: 'orders' } };
    expect(tmpBase(work, 'build')).toBe('etlx_build_1f2e3d4c_shop_orders');
    expect(tmpBase({ ...work, stagingId: '99999999-x' }, 'build')).not.toBe(tmpBase(work, 'build'));
  });

  it("string literals escape the backslash, ClickHouse's escape character", () => {
    expect(quoteClickHouseLiteral("it's a\\b")).toBe("'it\\'s a\\\\b'");
  });

  it("DuckDB's CSV types map to ClickHouse types", () => {
    expect(['BIGINT', 'INTEGER', 'DOUBLE', 'DECIMAL(18,3)', 'BOOLEAN', 'DATE', 'TIMESTAMP', 'VARCHAR', 'TIME'].map(clickhouseType)).toEqual([
      'Int64', 'Int32', 'Float64', 'Decimal(18, 3)', 'UInt8', 'Date', 'DateTime', 'String', 'String',
    ]);
  });
});

describe('ephemeral models on engines without subquery CTEs', () => {
  it('are inlined as subqueries, nested ones too', () => {
    const known = new Map([
      ['a', { sql: 'select 1 as x' }],
      ['b', { sql: `select x from ${ephemeralCteName('a')}` }],
    ]);
    const sql = `select * from ${ephemeralCteName('b')} as b`;
    expect(withCtes(sql, ['a', 'b'], known, true)).toBe('select * from (\nselect x from (\nselect 1 as x\n)\n) as b');
    // DuckDB keeps its CTEs.
    expect(withCtes(sql, ['a', 'b'], known)).toMatch(/^with "__etlx_cte__a" as/);
  });
});

describe('csvColumnFor: how DuckDB writes a seed column for ClickHouse', () => {
  it('writes booleans as 0/1 and timestamps to the second, and other columns as they are', () => {
    expect(csvColumnFor({ name: 'is_active', type: 'BOOLEAN' })).toBe('cast("is_active" as integer) as "is_active"');
    expect(csvColumnFor({ name: 'at', type: 'TIMESTAMP' })).toBe(`strftime("at", '%Y-%m-%d %H:%M:%S') as "at"`);
    expect(csvColumnFor({ name: 'at_tz', type: 'TIMESTAMP WITH TIME ZONE' })).toBe(`strftime("at_tz", '%Y-%m-%d %H:%M:%S') as "at_tz"`);
    expect(csvColumnFor({ name: 'say "hi"', type: 'VARCHAR' })).toBe('"say ""hi"""');
    expect(csvColumnFor({ name: 'd', type: 'DATE' })).toBe('"d"');
  });
});
