import { describe, expect, it } from 'vitest';
import type { TestNode } from '../../../src/parse/nodes.js';
import { failureCountSql, genericTestSql, rowCountSql } from '../../../src/compile/test-sql.js';
import { resolveTestConfig } from '../../../src/parse/config-merge.js';

function test(kind: TestNode['kind'], args: Record<string, unknown>, column?: string, config: Parameters<typeof resolveTestConfig>[0] = {}): TestNode {
  return {
    resourceType: 'test',
    id: `test.p.${kind}_m`,
    name: `${kind}_m`,
    path: 'models/p.yml',
    packageName: 'p',
    tags: [],
    testType: 'generic',
    kind,
    attachedTo: 'model.p.m',
    ...(column !== undefined ? { column } : {}),
    args,
    config: resolveTestConfig(config),
    rawConfig: config,
    alsoReads: [],
    checksum: '',
  };
}

const REL = '"main"."m"';

describe('genericTestSql', () => {
  it('not_null selects the rows where the column is null', () => {
    expect(genericTestSql(test('not_null', {}, 'id'), REL, undefined)).toBe('select *\nfrom "main"."m" as model\nwhere "id" is null');
  });

  it('unique groups non-null values seen more than once', () => {
    expect(genericTestSql(test('unique', {}, 'id'), REL, undefined)).toBe(
      'select "id" as unique_field, count(*) as n_records\nfrom "main"."m" as model\nwhere "id" is not null\ngroup by "id"\nhaving count(*) > 1',
    );
  });

  it('accepted_values quotes values unless quote: false', () => {
    expect(genericTestSql(test('accepted_values', { values: ['a', "it's", 3] }, 'status'), REL, undefined)).toContain("\"status\" not in ('a', 'it''s', '3')");
    expect(genericTestSql(test('accepted_values', { values: [1, 2], quote: false }, 'n'), REL, undefined)).toContain('"n" not in (1, 2)');
  });

  it('relationships left-joins the parent relation', () => {
    expect(genericTestSql(test('relationships', { to: 'customers', field: 'customer_id' }, 'cid'), REL, '"main"."customers"')).toBe(
      'select model."cid" as from_field\nfrom "main"."m" as model\nleft join "main"."customers" as parent on model."cid" = parent."customer_id"\nwhere model."cid" is not null and parent."customer_id" is null',
    );
  });

  it('expression_is_true fails rows where the expression is false or null; on a column an operator applies to it', () => {
    expect(genericTestSql(test('expression_is_true', { expression: 'a >= b' }), REL, undefined)).toBe('select *\nfrom "main"."m" as model\nwhere not coalesce((a >= b), false)');
    expect(genericTestSql(test('expression_is_true', { expression: '>= 0' }, 'amount'), REL, undefined)).toContain('where not coalesce(("amount" >= 0), false)');
    expect(genericTestSql(test('expression_is_true', { expression: 'is not null' }, 'amount'), REL, undefined)).toContain('coalesce(("amount" is not null), false)');
    expect(genericTestSql(test('expression_is_true', { expression: 'amount > 0' }, 'amount'), REL, undefined)).toContain('coalesce((amount > 0), false)');
  });

  it('row_count checks min, max and equals together', () => {
    expect(genericTestSql(test('row_count', { min: 1, max: 10, equals: 5 }), REL, undefined)).toBe(
      'select n as row_count\nfrom (select count(*) as n from "main"."m" as model)\nwhere n < 1 or n > 10 or n <> 5',
    );
    expect(genericTestSql(test('row_count', { min: 0 }), REL, undefined)).toMatch(/where n < 0$/);
  });

  it('row_count_matches compares with a tolerance', () => {
    expect(genericTestSql(test('row_count_matches', { model: 'o', tolerance_pct: 2.5 }), REL, '"main"."o"')).toBe(
      'select model_rows.n as row_count, other_rows.n as other_row_count\nfrom (select count(*) as n from "main"."m" as model) as model_rows,\n     (select count(*) as n from "main"."o") as other_rows\nwhere abs(model_rows.n - other_rows.n) > other_rows.n * 2.5 / 100.0',
    );
    expect(genericTestSql(test('row_count_matches', { model: 'o' }), REL, '"main"."o"')).toContain('other_rows.n * 0 / 100.0');
  });

  it('row_count_change reads the last passing count of this test from run history', () => {
    const sql = genericTestSql(test('row_count_change', { max_pct: 20 }), REL, undefined);
    expect(sql).toContain('from "etlx_meta"."node_results"');
    expect(sql).toContain("where unique_id = 'test.p.row_count_change_m' and status in ('pass', 'warn')");
    expect(sql).toContain('> previous_rows.n * 20 / 100.0');
  });

  it('a where config filters the tested relation first', () => {
    expect(genericTestSql(test('not_null', {}, 'id', { where: "day > '2024-01-01'" }), REL, undefined)).toBe(
      `select *\nfrom (select * from "main"."m" where day > '2024-01-01') as model\nwhere "id" is null`,
    );
  });

  it('quotes a column name that is not an identifier, keeps expressions (dbt column_name) as written', () => {
    expect(genericTestSql(test('not_null', {}, 'Größe'), REL, undefined)).toContain('where "Größe" is null');
    expect(genericTestSql(test('not_null', {}, 'order date'), REL, undefined)).toContain('where "order date" is null');
    expect(genericTestSql(test('not_null', {}, 'select'), REL, undefined)).toContain('where "select" is null');
    expect(genericTestSql(test('not_null', { column_name: 'coalesce(a, b)' }, 'coalesce(a, b)'), REL, undefined)).toContain('where coalesce(a, b) is null');
    expect(genericTestSql(test('unique', { column_name: 'id || day' }, 'id || day'), REL, undefined)).toContain('group by id || day');
  });

  it('refuses a singular test (it has a template)', () => {
    expect(() => genericTestSql(test('singular', {}), REL, undefined)).toThrow(/singular/);
  });
});

describe('count queries', () => {
  it('failureCountSql wraps the failing rows', () => {
    expect(failureCountSql('select 1')).toBe('select count(*) as failures from (\nselect 1\n) as etlx_failures');
  });
  it('rowCountSql counts a relation', () => {
    expect(rowCountSql(REL)).toBe('select count(*) as n from "main"."m"');
  });
});
