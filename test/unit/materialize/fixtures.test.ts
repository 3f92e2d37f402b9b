import { describe, expect, it } from 'vitest';
import { differenceSql, emptyTableSql, FixtureError, fixtureSql, fixtureTable, inferTextType, parseCsv } from '../../../src/materialize/fixtures.js';
import { queryFile } from '../../integration/helpers.js';

describe('unit test fixtures as SQL', () => {
  it('reads csv: quotes, doubled quotes, CRLF and blank lines', () => {
    expect(parseCsv('a,b\r\n1,"x, ""y"""\n\n2,\n')).toEqual([
      ['a', 'b'],
      ['1', 'x, "y"'],
      ['2', ''],
    ]);
  });

  it('infers a csv column type from its text, empty cells being null', () => {
    expect(inferTextType(['1', '-2', null])).toBe('bigint');
    expect(inferTextType(['1.5', '2'])).toBe('double');
    expect(inferTextType(['true', 'FALSE'])).toBe('boolean');
    expect(inferTextType(['2024-01-31'])).toBe('date');
    expect(inferTextType(['2024-01-31 10:00:00', '2024-02-01T00:00'])).toBe('timestamp');
    expect(inferTextType(['1', 'x'])).toBe('varchar');
    expect(inferTextType([null])).toBe('varchar');
  });

  it('types values like the real relation, fills the columns a test leaves out with null', () => {
    const t = fixtureTable({ format: 'dict', rows: [{ id: 1 }, { id: 2, name: 'b' }] });
    expect(fixtureSql('f', t, [{ name: 'id', type: 'INTEGER' }, { name: 'name', type: 'VARCHAR' }, { name: 'at', type: 'DATE' }], "ref('x')")).toBe(
      `create table "f" as select * from (values\n  (cast(1 as INTEGER), cast(NULL as VARCHAR), cast(NULL as DATE)),\n  (cast(2 as INTEGER), cast('b' as VARCHAR), cast(NULL as DATE))\n) as t("id", "name", "at")`,
    );
    expect(() => fixtureSql('f', t, [{ name: 'id', type: 'INTEGER' }], "ref('x')")).toThrow(new FixtureError(`ref('x') has no column "name" (its columns: id)`));
  });

  it('csv rows become typed literals; a csv line with the wrong field count is an error', () => {
    const t = fixtureTable({ format: 'csv', rows: 'id,day\n1,2024-01-01\n2,\n' });
    expect(fixtureSql('f', t, undefined, 'x')).toBe(`create table "f" as select * from (values\n  (cast('1' as bigint), cast('2024-01-01' as date)),\n  (cast('2' as bigint), cast(NULL as date))\n) as t("id", "day")`);
    expect(() => fixtureTable({ format: 'csv', rows: 'a,b\n1\n' })).toThrow('csv line 2 has 1 fields, the header has 2');
    expect(emptyTableSql('e', [{ name: 'a b', type: 'INTEGER' }])).toBe('create table "e" ("a b" INTEGER)');
  });

  it('compares as multisets in DuckDB: duplicates count, order does not', async () => {
    const rows = await queryFile(
      ':memory:',
      [
        `create table e as select * from (values (1, 'a'), (1, 'a'), (2, 'b')) as t(id, v);`,
        `create table a as select * from (values (2, 'b'), (1, 'a'), (3, 'c')) as t(id, v);`,
        differenceSql('e', 'a', ['id', 'v']),
      ].join('\n'),
    );
    expect(rows).toEqual([
      { diff: 'expected, not returned', id: 1, v: 'a' },
      { diff: 'returned, not expected', id: 3, v: 'c' },
    ]);
  });
});
