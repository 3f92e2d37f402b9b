import type { TestNode } from '../parse/nodes.js';
import { quoteIdent, quoteLiteral, sqlValue } from '../util/sql.js';

/** Where run history lives; row_count_change compares against it. */
export const META_SCHEMA = 'etlx_meta';
export const NODE_RESULTS_TABLE = `${quoteIdent(META_SCHEMA)}.${quoteIdent('node_results')}`;

/**
 * The query returning a generic test's failing rows. `relation` is the tested relation, `other`
 * the second relation for relationships / row_count_matches. Pure: golden tests pin it.
 */
export function genericTestSql(test: TestNode, relation: string, other: string | undefined): string {
  const a = test.args;
  const where = test.config.where;
  const from = where ? `(select * from ${relation} where ${where}) as model` : `${relation} as model`;
  // A column declared in YAML is an identifier (quoted: spaces, reserved words); dbt's
  // `column_name:` argument on a model-level test is an expression and stays as written.
  const col = test.column === undefined ? undefined : a.column_name !== undefined ? String(a.column_name) : quoteIdent(test.column);
  switch (test.kind) {
    case 'not_null':
      return `select *\nfrom ${from}\nwhere ${col} is null`;
    case 'unique':
      return `select ${col} as unique_field, count(*) as n_records\nfrom ${from}\nwhere ${col} is not null\ngroup by ${col}\nhaving count(*) > 1`;
    case 'accepted_values': {
      const quote = a.quote !== false;
      const values = (a.values as unknown[]).map((v) => (quote ? quoteLiteral(String(v)) : String(v))).join(', ');
      return `select ${col} as value_field, count(*) as n_records\nfrom ${from}\nwhere ${col} is not null and ${col} not in (${values})\ngroup by ${col}`;
    }
    case 'relationships': {
      const field = quoteIdent(String(a.field));
      return `select model.${col} as from_field\nfrom ${from}\nleft join ${other} as parent on model.${col} = parent.${field}\nwhere model.${col} is not null and parent.${field} is null`;
    }
    case 'expression_is_true': {
      const expr = String(a.expression);
      // On a column, an expression starting with an operator applies to the column (dbt_utils).
      const full = col !== undefined && /^\s*(>=|<=|!=|<>|=|>|<|is\b|in\b|not\b|between\b|like\b)/i.test(expr) ? `${col} ${expr}` : expr;
      return `select *\nfrom ${from}\nwhere not coalesce((${full}), false)`;
    }
    case 'row_count': {
      const checks: string[] = [];
      if (a.min !== undefined) checks.push(`n < ${Number(a.min)}`);
      if (a.max !== undefined) checks.push(`n > ${Number(a.max)}`);
      if (a.equals !== undefined) checks.push(`n <> ${Number(a.equals)}`);
      return `select n as row_count\nfrom (select count(*) as n from ${from})\nwhere ${checks.join(' or ')}`;
    }
    case 'row_count_matches': {
      const tol = Number(a.tolerance_pct ?? 0);
      return `select model_rows.n as row_count, other_rows.n as other_row_count\nfrom (select count(*) as n from ${from}) as model_rows,\n     (select count(*) as n from ${other}) as other_rows\nwhere abs(model_rows.n - other_rows.n) > other_rows.n * ${sqlValue(tol)} / 100.0`;
    }
    case 'row_count_change': {
      const pct = Number(a.max_pct);
      return [
        `select current_rows.n as row_count, previous_rows.n as previous_row_count`,
        `from (select count(*) as n from ${from}) as current_rows,`,
        `     (select rows_affected as n from ${NODE_RESULTS_TABLE}`,
        `      where unique_id = ${quoteLiteral(test.id)} and status in ('pass', 'warn') and rows_affected is not null and committed is not false`,
        `      order by completed_at desc limit 1) as previous_rows`,
        `where abs(current_rows.n - previous_rows.n) > previous_rows.n * ${sqlValue(pct)} / 100.0`,
      ].join('\n');
    }
    case 'singular':
    case 'custom':
      throw new Error('singular and custom generic tests are rendered from their template');
    default: {
      const never: never = test.kind;
      throw new Error(`unknown test ${String(never)}`);
    }
  }
}

/** The count query the runner executes; also what target/compiled shows for a test. */
export function failureCountSql(failingRowsSql: string): string {
  return `select count(*) as failures from (\n${failingRowsSql}\n) as etlx_failures`;
}

/** Row count of the relation a row_count_change test measures, recorded in run history. */
export function rowCountSql(relation: string): string {
  return `select count(*) as n from ${relation}`;
}
