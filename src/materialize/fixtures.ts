import type { UnitTestFixture } from '../parse/nodes.js';
import { quoteIdent, sqlValue } from '../util/sql.js';
import type { Column } from './types.js';

/**
 * A unit test's rows as SQL: the pure half of unit testing. Values are typed like the real
 * relation where its column types are known, else DuckDB infers them from the literals (dict)
 * or they are inferred from the text (csv).
 */

/** A fixture's rows read into columns and cells; `sql` fixtures stay SQL. */
export type FixtureTable =
  | { readonly kind: 'rows'; readonly columns: readonly string[]; readonly rows: readonly (readonly unknown[])[]; readonly text: boolean }
  | { readonly kind: 'sql'; readonly sql: string };

export class FixtureError extends Error {}

export function fixtureTable(f: Pick<UnitTestFixture, 'format' | 'rows'>): FixtureTable {
  if (f.format === 'sql') return { kind: 'sql', sql: String(f.rows).trim().replace(/;\s*$/, '') };
  if (f.format === 'csv') {
    const lines = parseCsv(String(f.rows));
    if (lines.length === 0) throw new FixtureError('csv rows need a header line');
    const [header, ...rows] = lines;
    for (const [i, r] of rows.entries()) {
      if (r.length !== header!.length) throw new FixtureError(`csv line ${i + 2} has ${r.length} fields, the header has ${header!.length}`);
    }
    return { kind: 'rows', columns: header!.map((h) => h.trim()), rows: rows.map((r) => r.map((v) => (v === '' ? null : v))), text: true };
  }
  const dicts = f.rows as readonly Readonly<Record<string, unknown>>[];
  const columns: string[] = [];
  for (const d of dicts) for (const k of Object.keys(d)) if (!columns.includes(k)) columns.push(k);
  return { kind: 'rows', columns, rows: dicts.map((d) => columns.map((c) => (Object.hasOwn(d, c) ? d[c] : null))), text: false };
}

/**
 * CREATE TABLE for a fixture. `known`: the real relation's columns (all of them go in, so a
 * column the test leaves out is null, as in dbt); a fixture column it lacks is an error.
 */
export function fixtureSql(name: string, table: FixtureTable, known: readonly Column[] | undefined, shown: string): string {
  if (table.kind === 'sql') return `create table ${quoteIdent(name)} as select * from (\n${table.sql}\n)`;
  if (known) {
    const missing = table.columns.filter((c) => !known.some((k) => k.name.toLowerCase() === c.toLowerCase()));
    if (missing.length > 0) throw new FixtureError(`${shown} has no column ${missing.map((m) => `"${m}"`).join(', ')} (its columns: ${known.map((k) => k.name).join(', ')})`);
  }
  const columns: Column[] = known
    ? [...known]
    : table.columns.map((c, i) => ({ name: c, type: table.text ? inferTextType(table.rows.map((r) => r[i])) : '' }));
  if (columns.length === 0) throw new FixtureError(`${shown} has no columns`);
  const at = (c: Column) => table.columns.findIndex((x) => x.toLowerCase() === c.name.toLowerCase());
  if (table.rows.length === 0) return `create table ${quoteIdent(name)} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type || 'varchar'}`).join(', ')})`;
  const cell = (c: Column, v: unknown) => (c.type ? `cast(${sqlValue(v)} as ${c.type})` : sqlValue(v));
  const values = table.rows.map((r) => `(${columns.map((c) => cell(c, at(c) < 0 ? null : r[at(c)])).join(', ')})`);
  return `create table ${quoteIdent(name)} as select * from (values\n  ${values.join(',\n  ')}\n) as t(${columns.map((c) => quoteIdent(c.name)).join(', ')})`;
}

/** An empty table with these columns: an input the test does not give. */
export function emptyTableSql(name: string, columns: readonly Column[]): string {
  return `create table ${quoteIdent(name)} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`;
}

/** The type of a csv column from its text: the narrowest that reads every value. */
export function inferTextType(values: readonly unknown[]): string {
  const v = values.filter((x): x is string => typeof x === 'string');
  if (v.length === 0) return 'varchar';
  const all = (re: RegExp) => v.every((x) => re.test(x.trim()));
  if (all(/^-?\d{1,18}$/)) return 'bigint';
  if (all(/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/)) return 'double';
  if (all(/^(true|false)$/i)) return 'boolean';
  if (all(/^\d{4}-\d{2}-\d{2}$/)) return 'date';
  if (all(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/)) return 'timestamp';
  return 'varchar';
}

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF; blank lines are skipped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') {
      quoted = true;
      any = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      any = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      if (any || field.trim() !== '') rows.push([...row, field]);
      row = [];
      field = '';
      any = false;
    } else {
      field += ch;
      if (ch.trim() !== '') any = true;
    }
  }
  if (any || field.trim() !== '') rows.push([...row, field]);
  return rows.map((r) => r.map((x) => x.trim()));
}

/**
 * The rows that differ between the expected and actual tables, both ways, as a multiset
 * difference computed by DuckDB (EXCEPT ALL keeps duplicates apart).
 */
export function differenceSql(expected: string, actual: string, columns: readonly string[]): string {
  const cols = columns.map(quoteIdent).join(', ');
  const e = quoteIdent(expected);
  const a = quoteIdent(actual);
  return [
    `select 'expected, not returned' as diff, * from (select ${cols} from ${e} except all select ${cols} from ${a})`,
    `union all`,
    `select 'returned, not expected' as diff, * from (select ${cols} from ${a} except all select ${cols} from ${e})`,
    `order by all`,
  ].join('\n');
}
