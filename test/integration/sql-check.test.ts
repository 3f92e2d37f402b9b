import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSqlSyntax, checkSqlSyntaxExact } from '../../src/engine/duckdb/sql-check.js';

/**
 * The parse check splits all statements in one extract_statements call first and runs the exact
 * check (json_serialize_sql) only when that fails or counts wrong. It must report exactly what
 * the exact check alone reports.
 */
const VALID = [
  'select 1',
  'select a, b from t where x > 2 -- trailing comment',
  'with x as (select 1 as a) select * from x',
  "select 'a;b' as s",
  'select 1;',
  'create table t as select 1',
  '/* block */ select 2',
  'select *\nfrom read_parquet(\'x/*.parquet\')\n',
];
const BROKEN = [
  'selec 1',
  'select 1; select 2',
  '',
  '-- only a comment',
  "select 'open",
  'select 1 /* open',
  'select from where',
  'select (1',
];

describe('the SQL parse check', () => {
  it('reports nothing for valid statements', async () => {
    expect(await checkSqlSyntax(VALID)).toEqual([]);
  });

  it('reports what json_serialize_sql alone reports, on hand-picked mixes', async () => {
    const cases = [
      [...VALID, ...BROKEN],
      ['select 1; select 2', '-- only a comment'],
      ['select 1; select 2', ''],
      ["select 'a", "select 'b"],
      ['select 1 /* x', 'select 2 */ + 1'],
      ['select 1', 'select 2', 'selec 3'],
    ];
    for (const sqls of cases) {
      const exact = await checkSqlSyntaxExact(sqls);
      expect(exact.length).toBeGreaterThan(0);
      expect(await checkSqlSyntax(sqls)).toEqual(exact);
    }
  });

  it('reports what json_serialize_sql alone reports, on generated mixes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...VALID, ...BROKEN), { minLength: 1, maxLength: 8 }), async (sqls) => {
        expect(await checkSqlSyntax(sqls)).toEqual(await checkSqlSyntaxExact(sqls));
      }),
      { numRuns: 25 },
    );
  });
});
